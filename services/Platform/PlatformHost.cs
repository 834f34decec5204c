using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Streaming.Ingress;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.Normalizer;
using Streaming.Normalizer.Processing;
using Streaming.SchemaRegistry.Server;
using Streaming.ServiceDefaults;
using Streaming.Status;
using Streaming.Status.Projection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Platform;

/// <summary>Where each part of a started platform listens.</summary>
public sealed record PlatformEndpoints(Uri Ingress, Uri Grpc, Uri SchemaRegistry, string Kafka, Uri NormalizerHealth, Uri StatusHttp)
{
    /// <summary>
    /// The Prometheus scrape endpoint: every part serves the whole process's metrics; this is the normalizer's port's
    /// (no API authentication in front of it, so a scrape every few seconds writes nothing to the log).
    /// </summary>
    public Uri Metrics => new(NormalizerHealth, StreamingTelemetry.MetricsPath);

    /// <summary>The ready file's JSON: {"pid", "ingress", "grpc", "statusHttp", "schemaRegistry", "kafka", "metrics"}.</summary>
    public string ToReadyJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["pid"] = Environment.ProcessId,
        ["ingress"] = Ingress.ToString().TrimEnd('/'),
        ["grpc"] = Grpc.ToString().TrimEnd('/'),
        ["statusHttp"] = StatusHttp.ToString().TrimEnd('/'),
        ["schemaRegistry"] = SchemaRegistry.ToString().TrimEnd('/'),
        ["kafka"] = Kafka,
        ["metrics"] = Metrics.ToString(),
    });
}

/// <summary>
/// The whole pipeline in this process: the embedded broker with the product's topics, the schema
/// registry endpoint, and the ingress, normalizer and status services, each its own web host on its
/// own port, configured exactly as when it runs alone (Kafka:BootstrapServers = the embedded broker,
/// the registry URL, ...). The platform owns Ctrl+C and SIGTERM and stops the parts in order.
/// </summary>
public sealed class PlatformHost : IAsyncDisposable
{
    // How often the embedded broker's hand-off topics drop what their consumers committed (PlatformOptions.TrimConsumedRecords).
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromSeconds(1);

    private readonly List<(string Name, WebApplication App)> _parts = [];
    private readonly EmbeddedKafkaCluster _kafka;
    private readonly string _emptyContentRoot;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ServiceProvider _telemetry;
    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _tracer;
    private bool _stopped;
    private Uri? _statusHealth;
    private ConsumedRecordsRetention? _retention;
    private Task _retaining = Task.CompletedTask;
    private readonly CancellationTokenSource _stopRetention = new();

    private PlatformHost(EmbeddedKafkaCluster kafka, string emptyContentRoot, ServiceProvider telemetry)
    {
        _kafka = kafka;
        _emptyContentRoot = emptyContentRoot;
        _telemetry = telemetry;
        _meters = telemetry.GetService<MeterProvider>();
        _tracer = telemetry.GetService<TracerProvider>();
    }

    public PlatformEndpoints Endpoints { get; private set; } = null!;

    /// <summary>Cancelled when any part stops on its own (a fatal error), so the whole platform goes down.</summary>
    public CancellationToken PartStopped => _stopping.Token;

    /// <summary>The platform's configuration: platform.json beside the program, then environment variables, then the command line.</summary>
    public static IConfigurationRoot BuildConfiguration(string[] args) => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "platform.json"), optional: false)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();

    /// <summary>Starts every part and waits until each reports ready.</summary>
    /// <param name="configureTelemetry">Adds to the process's OpenTelemetry registrations (a test's in-memory exporter).</param>
    public static async Task<PlatformHost> StartAsync(IConfiguration configuration, CancellationToken cancellationToken, Action<IServiceCollection>? configureTelemetry = null)
    {
        var options = configuration.GetSection(PlatformOptions.SectionName).Get<PlatformOptions>() ?? new PlatformOptions();
        Validate(options);

        // The services read no appsettings.json of their own here: every setting comes from the platform's configuration.
        var contentRoot = Path.Combine(Path.GetTempPath(), "streaming-platform-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(contentRoot);
        // The status store lives and dies with the in-memory broker: a store kept across runs would hold offsets into
        // a broker that no longer has them, and documents no stream can explain.
        var database = Path.Combine(contentRoot, "status.db");

        // One set of OpenTelemetry providers for the whole process (see StreamingTelemetry.UseSharedTelemetry), under the
        // same switches and OTEL_* variables as a service running alone.
        var telemetry = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddMetrics();
        telemetry.AddStreamingTelemetry(configuration, "streaming-platform");
        configureTelemetry?.Invoke(telemetry);

        var kafka = EmbeddedKafkaCluster.Start();
        var host = new PlatformHost(kafka, contentRoot, telemetry.BuildServiceProvider());
        try
        {
            kafka.CreateTopics(KafkaTopics.All(options.Partitions));
            await host.StartPartsAsync(configuration, options, database, cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(IConfiguration configuration, PlatformOptions options, string database, CancellationToken cancellationToken)
    {
        var bind = options.BindAddress;
        var shared = new Dictionary<string, string?>
        {
            [$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)}"] = _kafka.BootstrapServers,
            // The platform made the topics on the embedded broker (which has no CreateTopics API).
            [$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.AutoCreateTopics)}"] = "false",
            [$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Partitions)}"] = options.Partitions.ToString(CultureInfo.InvariantCulture),
        };

        // 1. Schema registry.
        var registry = Build("schema-registry", configuration, shared, Url(bind, options.SchemaRegistryPort), builder =>
        {
            builder.Services.AddSchemaRegistry();
        }, app => app.MapSchemaRegistry());
        await StartAsync("schema-registry", registry, cancellationToken);
        var registryUrl = First(registry);

        // 2. Status (consumer + gRPC), before anything produces.
        var (grpcUrl, statusHealthUrl) = await StartStatusAsync(configuration, shared, options, registryUrl, database, cancellationToken);

        // 3. Normalizer, with the registry above (so it does not host its own).
        var normalizer = NormalizerApplication.Create(SubAppArgs(), builder =>
        {
            Configure(builder, configuration, shared, Url(bind, options.NormalizerPort));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Normalizer:SchemaRegistryUrl"] = registryUrl.ToString(),
                // The embedded platform's own registry: registering the contract on start is its deployment step.
                ["Normalizer:AutoRegisterSchemas"] = "true",
                // librdkafka's mock cluster does not keep transactional offset commits.
                ["Normalizer:CommitOffsetsOutsideTransaction"] = "true",
                ["Normalizer:InstanceId"] = "platform",
                // The mock broker answers an empty fetch only when fetch.wait.max.ms (500 ms by default) has passed,
                // even if records arrive meanwhile: each hop would add up to half a second (bench/e2e.sh measured
                // p50 290 ms end to end with it, 26 ms with 10 ms). See EmbeddedLatency.
                ["Normalizer:FetchWait"] = EmbeddedLatency.FetchWait,
            });
        });
        await StartAsync("normalizer", normalizer, cancellationToken);
        var normalizerUrl = First(normalizer);

        // 4. Ingress last: a webhook is accepted only once the rest of the pipeline runs.
        var ingress = IngressApplication.Create(SubAppArgs(), builder => Configure(builder, configuration, shared, Url(bind, options.IngressPort)));
        await StartAsync("ingress", ingress, cancellationToken);
        var ingressUrl = First(ingress);

        Endpoints = new PlatformEndpoints(ingressUrl, grpcUrl, registryUrl, _kafka.BootstrapServers, normalizerUrl, statusHealthUrl);
        _statusHealth = statusHealthUrl;
        await WaitUntilReadyAsync(options.ReadyTimeout, cancellationToken);
        await WaitUntilPartitionsOwnedAsync(options, cancellationToken);
        if (options.TrimConsumedRecords)
        {
            var normalizerOptions = Part("normalizer").Services.GetRequiredService<IOptions<NormalizerOptions>>().Value;
            var statusOptions = Part("status").Services.GetRequiredService<IOptions<StatusOptions>>().Value;
            _retention = new ConsumedRecordsRetention(
                _kafka,
                [new ConsumedTopic(normalizerOptions.InputTopic, normalizerOptions.GroupId), new ConsumedTopic(statusOptions.Topic, statusOptions.GroupId)],
                options.Partitions,
                options.KeepConsumedRecords,
                Part("normalizer").Services.GetRequiredService<ILoggerFactory>().CreateLogger<ConsumedRecordsRetention>());
            _retaining = Task.Run(() => _retention.RunAsync(RetentionInterval, _stopRetention.Token), CancellationToken.None);
        }
    }

    /// <summary>
    /// Ready means a webhook sent now flows through at once: the normalizer and the status consumer each own every
    /// partition of their topic. Their health checks pass as soon as the consumers have subscribed (a replica with
    /// no partition is still a healthy replica), which with the classic group protocol is seconds before the
    /// assignment arrives; so the platform, the only member of each group, waits for the assignment itself.
    /// </summary>
    private async Task WaitUntilPartitionsOwnedAsync(PlatformOptions options, CancellationToken cancellationToken)
    {
        var normalizer = Part("normalizer").Services.GetRequiredService<NormalizerWorker>();
        var status = Part("status").Services.GetRequiredService<ProjectionWorker>();
        var consumers = new (string Name, Func<int> Owned)[]
        {
            ("normalizer", () => normalizer.Loop?.AssignedPartitions ?? 0),
            ("status service", () => status.Loop?.AssignedPartitions ?? 0),
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ReadyTimeout);
        foreach (var (name, owned) in consumers)
        {
            while (owned() < options.Partitions)
            {
                try
                {
                    await Task.Delay(20, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the {name} was assigned {owned()} of {options.Partitions} partitions within {options.ReadyTimeout.TotalSeconds:0} s");
                }
            }
        }
    }

    private WebApplication Part(string name) => _parts.Single(p => p.Name == name).App;

    private async Task<(Uri Grpc, Uri Health)> StartStatusAsync(IConfiguration configuration, Dictionary<string, string?> shared, PlatformOptions options, Uri registryUrl, string database, CancellationToken cancellationToken)
    {
        var status = StatusApplication.Create(SubAppArgs(), builder =>
        {
            // Health and the JSON face on Platform:StatusHttpPort; the gRPC API on Platform:GrpcPort.
            Configure(builder, configuration, shared, Url(options.BindAddress, options.StatusHttpPort));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Status:SchemaRegistryUrl"] = registryUrl.ToString(),
                // The embedded platform's own registry: registering the DocumentStatus contract is its deployment step.
                ["Status:AutoRegisterSchemas"] = "true",
                ["Status:ConnectionString"] = "",
                ["Status:SqlitePath"] = database,
                ["Status:GrpcAddress"] = options.BindAddress,
                ["Status:GrpcPort"] = options.GrpcPort.ToString(CultureInfo.InvariantCulture),
                ["Status:FetchWait"] = EmbeddedLatency.FetchWait,
                ["Status:BatchWindow"] = EmbeddedLatency.StatusBatchWindow,
            });
        });
        await StartAsync("status", status, cancellationToken);
        return (status.GrpcAddress(), status.HttpAddresses()[0]);
    }

    /// <summary>Polls every part's readiness (HTTP health, registry, gRPC health) until all answer or the timeout passes.</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var grpc = GrpcChannel.ForAddress(Endpoints.Grpc);
        var health = new Health.HealthClient(grpc);
        var checks = new (string Name, Func<Task<bool>> Ready)[]
        {
            ("schema registry", async () => (await http.GetAsync(new Uri(Endpoints.SchemaRegistry, "subjects"), deadline.Token)).IsSuccessStatusCode),
            ("normalizer", async () => (await http.GetAsync(new Uri(Endpoints.NormalizerHealth, StreamingDefaults.ReadyPath), deadline.Token)).IsSuccessStatusCode),
            ("status service", async () => (await http.GetAsync(new Uri(_statusHealth!, StreamingDefaults.ReadyPath), deadline.Token)).IsSuccessStatusCode),
            ("status gRPC API", async () => (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: deadline.Token)).Status == ServingStatus.Serving),
            ("ingress", async () => (await http.GetAsync(new Uri(Endpoints.Ingress, StreamingDefaults.ReadyPath), deadline.Token)).IsSuccessStatusCode),
        };
        foreach (var (name, ready) in checks)
        {
            string? last = null;
            while (true)
            {
                try
                {
                    if (await ready())
                    {
                        break;
                    }

                    last = "not ready";
                }
                catch (Exception ex) when (ex is HttpRequestException or RpcException || (ex is OperationCanceledException && !deadline.IsCancellationRequested))
                {
                    last = ex.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the {name} did not become ready within {timeout.TotalSeconds:0} s ({last ?? "no answer"})");
                }

                try
                {
                    await Task.Delay(50, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the {name} did not become ready within {timeout.TotalSeconds:0} s ({last ?? "no answer"})");
                }
            }
        }
    }

    private WebApplication Build(
        string name,
        IConfiguration configuration,
        Dictionary<string, string?> shared,
        string url,
        Action<WebApplicationBuilder> register,
        Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder(SubAppArgs());
        builder.AddStreamingDefaults();
        register(builder);
        Configure(builder, configuration, shared, url);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var app = builder.Build();
        map(app);
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    private void Configure(WebApplicationBuilder builder, IConfiguration configuration, Dictionary<string, string?> shared, string url)
    {
        builder.Configuration.AddConfiguration(configuration);
        builder.Configuration.AddInMemoryCollection(shared);
        builder.Services.UseSharedTelemetry(_meters, _tracer);
        builder.WebHost.UseUrls(url);
        // Signals belong to the platform, which stops the parts in order; a part that stops on its own stops them all.
        builder.Services.AddSingleton<IHostLifetime, PlatformPartLifetime>();
    }

    private async Task StartAsync(string name, WebApplication app, CancellationToken cancellationToken)
    {
        _parts.Add((name, app));
        await app.StartAsync(cancellationToken);
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            if (!_stopped)
            {
                _stopping.Cancel();
            }
        });
    }

    // The telemetry switch is read while the part registers its services: it takes the platform's telemetry providers
    // instead of building its own. No configuration reload: there is no file to reload here, and each part's watcher of
    // the content root (which holds the status store) would wake on every write to the database (6 % of a core at
    // 2,000 webhooks/s over the parts' three watcher threads).
    private string[] SubAppArgs() =>
    [
        "--contentRoot", _emptyContentRoot,
        "--hostBuilder:reloadConfigOnChange=false",
        $"--{StreamingTelemetry.SectionName}:{StreamingTelemetry.SharedByHostKey}=true",
    ];

    private static string Url(string bind, int port) =>
        $"http://{(IPAddress.TryParse(bind, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind)}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static Uri First(WebApplication app)
    {
        var address = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("a part started without an address");
        return new Uri(address);
    }

    private static void Validate(PlatformOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(PlatformOptions.SectionName, typeof(PlatformOptions), results.Select(r => $"Platform: {r.ErrorMessage}"));
        }

        if (!IPAddress.TryParse(options.BindAddress, out _) && options.BindAddress != "localhost")
        {
            throw new OptionsValidationException(PlatformOptions.SectionName, typeof(PlatformOptions), [$"Platform:BindAddress must be an IP address, got '{options.BindAddress}'"]);
        }
    }

    /// <summary>Stops the parts: ingress first (no new webhooks), then normalizer, status and registry; the broker last.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopRetention.CancelAsync();
        try
        {
            await _retaining;
        }
        finally
        {
            // Whatever the retention loop ended with, every part stops before anything is disposed.
            for (var i = _parts.Count - 1; i >= 0; i--)
            {
                await _parts[i].App.StopAsync(cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await StopAsync(timeout.Token);
        }

        for (var i = _parts.Count - 1; i >= 0; i--)
        {
            await _parts[i].App.DisposeAsync();
        }

        _parts.Clear();
        // Last, so the spans and metrics of the shutdown are exported too.
        await _telemetry.DisposeAsync();
        _retention?.Dispose();
        _kafka.Dispose();
        _stopping.Dispose();
        _stopRetention.Dispose();
        try
        {
            Directory.Delete(_emptyContentRoot, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (the SQLite store): the temporary folder is left to the OS.
        }

    }
}

/// <summary>
/// The waits on the embedded broker's hops. The mock holds an empty fetch for the whole fetch.wait.max.ms, even when
/// records arrive meanwhile, so each consuming hop adds up to that wait; the status projection's batch window adds its
/// own. bench/e2e.sh 2000 30 on 2 cores, end-to-end p50 / p99: 37 / 154 ms with 10 ms fetch waits and a 5 ms window,
/// 27 / 95 ms with 4 ms fetch waits, 25 / 80 ms with a 2 ms window too; 2 ms fetch waits cost more CPU than they save
/// (p50 29 ms). An idle platform (empty fetches every 4 ms) uses about a tenth of a core.
/// </summary>
internal static class EmbeddedLatency
{
    public const string FetchWait = "00:00:00.004";
    public const string StatusBatchWindow = "00:00:00.002";
}

/// <summary>A part's host lifetime: no signal handling of its own (the platform's Program has it).</summary>
internal sealed class PlatformPartLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
