using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Streaming.Chaos;

/// <summary>
/// The pipeline as separate processes on this machine: the broker process (embedded broker + registry + fault
/// endpoint), PostgreSQL, and the ingress, normalizer and status service pointed at them through their ordinary
/// configuration keys. A supervisor restarts any service that exits when no fault is holding it down, and counts it.
/// </summary>
internal sealed class Pipeline : IAsyncDisposable
{
    private readonly HashSet<ServiceProcess> _held = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopSupervisor = new();
    private Task? _supervisor;

    private Pipeline(string work, ServiceProcess broker, PostgresServer postgres, string kafka, Uri registry, Uri control)
    {
        Work = work;
        Broker = broker;
        Postgres = postgres;
        Kafka = kafka;
        Registry = registry;
        Control = control;
    }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Work { get; }

    public ServiceProcess Broker { get; }

    public PostgresServer Postgres { get; }

    public string Kafka { get; }

    public Uri Registry { get; }

    public Uri Control { get; }

    public ServiceProcess Ingress { get; private set; } = null!;

    public ServiceProcess Normalizer { get; private set; } = null!;

    public ServiceProcess Status { get; private set; } = null!;

    public Uri IngressUrl { get; private set; } = null!;

    public Uri GrpcUrl { get; private set; } = null!;

    public IEnumerable<ServiceProcess> Services => [Ingress, Normalizer, Status];

    public static async Task<Pipeline> StartAsync(string repo, string work, int partitions, double rate, string groupProtocol, TextWriter log, CancellationToken cancellationToken)
    {
        var self = typeof(Pipeline).Assembly.Location;
        var brokerPort = FreePort();
        var readyFile = Path.Combine(work, "broker.json");
        var broker = new ServiceProcess("broker", self, new Dictionary<string, string>(), new Uri($"http://127.0.0.1:{brokerPort}/subjects"), Path.Combine(work, "broker.log"),
            ["broker", "--ready-file", readyFile, "--partitions", partitions.ToString(CultureInfo.InvariantCulture), "--port", brokerPort.ToString(CultureInfo.InvariantCulture)]);
        broker.Start();
        log.WriteLine("starting PostgreSQL (scripts/postgres-for-tests.sh, private to this run)...");
        var postgres = PostgresServer.Start(repo, work);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(readyFile))
        {
            if (DateTime.UtcNow > deadline || !broker.Running)
            {
                throw new TimeoutException($"the broker process did not start (see {Path.Combine(work, "broker.log")})");
            }

            await Task.Delay(100, cancellationToken);
        }

        using var ready = JsonDocument.Parse(File.ReadAllText(readyFile));
        var registry = new Uri(ready.RootElement.GetProperty("registry").GetString()!);
        var pipeline = new Pipeline(work, broker, postgres, ready.RootElement.GetProperty("kafka").GetString()!, registry,
            new Uri(ready.RootElement.GetProperty("control").GetString()! + "/"));
        try
        {
            await pipeline.StartServicesAsync(repo, partitions, rate, groupProtocol, log, cancellationToken);
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }

        return pipeline;
    }

    private async Task StartServicesAsync(string repo, int partitions, double rate, string groupProtocol, TextWriter log, CancellationToken cancellationToken)
    {
        var common = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Kafka__BootstrapServers"] = Kafka,
            ["Kafka__AutoCreateTopics"] = "false",
            ["Kafka__Partitions"] = partitions.ToString(CultureInfo.InvariantCulture),
            ["SchemaRegistry__Url"] = Registry.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Streaming"] = "Information",
            ["Logging__LogLevel__Streaming.Normalizer.Processing.ExactlyOnceLoop"] = Environment.GetEnvironmentVariable("CHAOS_LOOP_LOG_LEVEL") ?? "Information",
            ["Logging__LogLevel__Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
            // The checker calls the open API without a token: one line per call otherwise.
            ["Logging__LogLevel__Streaming.Status.Api"] = "Warning",
        };

        Dictionary<string, string> With(params (string Key, string Value)[] settings)
        {
            var all = new Dictionary<string, string>(common);
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }

            return all;
        }

        string Dll(string service, string assembly) => Path.Combine(repo, "services", service, "bin", "Release", "net10.0", assembly + ".dll");

        // The five providers' development secrets and Instnt's public key: the embedded platform's own (platform.json).
        var ingressSettings = ProviderSettings(Path.Combine(repo, "services", "Platform", "platform.json"));
        var ingressPort = FreePort();
        IngressUrl = new Uri($"http://127.0.0.1:{ingressPort}/");
        ingressSettings.AddRange([
            ("Urls", IngressUrl.ToString().TrimEnd('/')),
            // Vendors honour Retry-After; a second keeps retries quick after an outage.
            ("Ingress__RetryAfter", "00:00:01"),
            // The per-client limit stays on, a little above the rate: retry storms after an outage get 429s, as they would.
            ("Ingress__ClientRateLimitPerSecond", Math.Max(50, rate * 1.5).ToString("0", CultureInfo.InvariantCulture)),
        ]);
        Ingress = new ServiceProcess("ingress", Dll("Ingress", "Streaming.Ingress"), With([.. ingressSettings]), new Uri(IngressUrl, "health/ready"), Path.Combine(Work, "ingress.log"));

        var normalizerPort = FreePort();
        Normalizer = new ServiceProcess("normalizer", Dll("Normalizer", "Streaming.Normalizer"), With(
            ("Urls", $"http://127.0.0.1:{normalizerPort}"),
            ("Normalizer__InstanceId", "chaos"),
            ("Normalizer__AutoRegisterSchemas", "true"),
            // This broker is librdkafka's mock cluster, which does not keep transactional offset commits (docs/kafka-embedded.md).
            ("Normalizer__CommitOffsetsOutsideTransaction", "true"),
            ("Normalizer__FetchWait", "00:00:00.010"),
            ("Normalizer__GroupProtocol", groupProtocol)),
            new Uri($"http://127.0.0.1:{normalizerPort}/health/ready"), Path.Combine(Work, "normalizer.log"));

        var statusPort = FreePort();
        var grpcPort = FreePort();
        GrpcUrl = new Uri($"http://127.0.0.1:{grpcPort}");
        Status = new ServiceProcess("status", Dll("Status", "Streaming.Status"), With(
            ("Urls", $"http://127.0.0.1:{statusPort}"),
            ("Status__GrpcPort", grpcPort.ToString(CultureInfo.InvariantCulture)),
            ("Status__ConnectionString", Postgres.ConnectionString),
            ("Status__SchemaRegistryUrl", Registry.ToString()),
            ("Status__AutoRegisterSchemas", "true"),
            ("Status__GroupProtocol", groupProtocol)),
            new Uri($"http://127.0.0.1:{statusPort}/health/ready"), Path.Combine(Work, "status.log"));

        foreach (var service in new[] { Status, Normalizer, Ingress })
        {
            service.Start();
            if (!await service.WaitReadyAsync(Http, TimeSpan.FromSeconds(90), cancellationToken))
            {
                throw new TimeoutException($"the {service.Name} did not become ready (see {Path.Combine(Work, service.Name + ".log")})");
            }

            log.WriteLine($"{service.Name} ready");
        }

        _supervisor = SuperviseAsync(_stopSupervisor.Token);
    }

    /// <summary>Keeps <paramref name="service"/> out of the supervisor's restarts while a fault has it down on purpose.</summary>
    public void Hold(ServiceProcess service, bool held)
    {
        lock (_gate)
        {
            if (held)
            {
                _held.Add(service);
            }
            else
            {
                _held.Remove(service);
            }
        }
    }

    public async Task BrokerControlAsync(string action)
    {
        using var response = await Http.PostAsync(new Uri(Control, action), null);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"broker fault endpoint {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var service in Services)
            {
                bool held;
                lock (_gate)
                {
                    held = _held.Contains(service);
                }

                if (!held && !service.Running)
                {
                    service.Start();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSupervisor.CancelAsync();
        if (_supervisor is not null)
        {
            await _supervisor;
        }

        foreach (var service in new[] { Ingress, Normalizer, Status })
        {
            if (service is not null)
            {
                await service.TerminateAsync(TimeSpan.FromSeconds(15));
                service.Dispose();
            }
        }

        await Broker.TerminateAsync(TimeSpan.FromSeconds(10));
        Broker.Dispose();
        Postgres.Dispose();
        Http.Dispose();
        _stopSupervisor.Dispose();
    }

    /// <summary>Ingress__Providers__... settings from a JSON file's Ingress:Providers section.</summary>
    private static List<(string, string)> ProviderSettings(string platformJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(platformJson));
        var settings = new List<(string, string)>();
        void Flatten(string prefix, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Flatten($"{prefix}__{property.Name}", property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        Flatten($"{prefix}__{i++}", item);
                    }

                    break;
                default:
                    settings.Add((prefix, element.ToString()));
                    break;
            }
        }

        Flatten("Ingress__Providers", json.RootElement.GetProperty(nameof(Ingress)).GetProperty("Providers"));
        return settings;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
