using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;
using Streaming.SchemaRegistry;
using streaming.documents.v1;
using ConfluentSchema = Confluent.SchemaRegistry.Schema;
using RegistryException = Confluent.SchemaRegistry.SchemaRegistryException;

namespace Streaming.Normalizer.Processing;

/// <summary>
/// Hosts the exactly-once loop on its own thread: registers the DocumentEvent schema, then normalizes until
/// the host stops. A fatal Kafka error (fenced, fatal producer state) or a failing dedupe rebuild stops the
/// whole application, loudly: a normalizer that cannot guarantee exactly-once must not keep going.
/// </summary>
public sealed partial class NormalizerWorker(
    KafkaConnection kafka,
    IOptions<NormalizerOptions> options,
    MappingCatalog catalog,
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILoggerFactory loggers,
    NormalizerFaultInjection? faults = null,
    NormalizerTelemetry? telemetry = null,
    IOptions<KafkaOptions>? kafkaOptions = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<NormalizerWorker>();
    private ExactlyOnceLoop? _loop;

    /// <summary>The running loop (null until the schema is registered).</summary>
    public ExactlyOnceLoop? Loop => _loop;

    public NormalizingTransform? Transform { get; private set; }

    public int SchemaId { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Kestrel must listen first: in the embedded mode the registry is this process's own endpoint.
            await WhenStarted(stoppingToken);
            var o = options.Value;
            var url = string.IsNullOrWhiteSpace(o.SchemaRegistryUrl) ? OwnAddress() : o.SchemaRegistryUrl;

            // Auth and TLS from the SchemaRegistry section (Confluent's key names); the URL as resolved above.
            using var registry = new CachedSchemaRegistryClient(SchemaRegistryClientOptions.FromConfiguration(configuration, url).ToConfluentConfig());
            SchemaId = await RegisterSchemaAsync(registry, url, o, stoppingToken);

            // Confluent's serializer, looking the contract up (registered above, never by itself) and writing its id; run on
            // the loop's thread (CallerThreadSerdes) rather than through the thread pool once per record.
            var serializer = new AvroSerializer<DocumentEvent>(registry, new AvroSerializerConfig { AutoRegisterSchemas = false });
            var context = new SerializationContext(MessageComponentType.Value, o.OutputTopic);
            byte[] Serialize(DocumentEvent value) => serializer.SerializeOnCallerThread(value, context);
            var client = kafka.ClientConfig();
            using var history = new OutputHistoryReader(client, o.InputTopic, o.OutputTopic, o.DedupeWindow, o.TransactionTimeout * 2, loggers.CreateLogger<OutputHistoryReader>());
            Transform = new NormalizingTransform(
                new EventMapper(catalog, o.StrictEventTypes),
                new NormalizerTopics(o.InputTopic, o.OutputTopic, o.DeadLetterTopic),
                Serialize,
                new DedupeIndex(o.DedupeWindow, TimeProvider.System),
                faults is null ? history.Read : (partition, token) => faults.ReadHistory(history.Read, partition, token),
                loggers.CreateLogger<NormalizingTransform>(),
                telemetry);
            using var lag = telemetry?.LagMonitor(client, o.GroupId, kafkaOptions?.Value.LagRefreshInterval ?? TimeSpan.FromSeconds(5));
            _loop = new ExactlyOnceLoop(
                new LoopSettings(
                    client, o.InputTopic, o.GroupId, o.EffectiveTransactionalId, o.BatchSize, o.BatchTimeout, o.TransactionTimeout, o.SessionTimeout,
                    MirrorOffsetCommits: o.CommitOffsetsOutsideTransaction ?? kafka.Embedded is not null,
                    FetchWait: o.FetchWait,
                    GroupProtocol: o.GroupProtocol,
                    CommitTimeout: o.CommitTimeout,
                    CommitAttempts: o.CommitAttempts),
                Transform,
                loggers.CreateLogger<ExactlyOnceLoop>(),
                faults,
                telemetry,
                lag,
                onStuck: lifetime.StopApplication);
            await Task.Factory.StartNew(() => _loop.Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFatal(_logger, e);
            lifetime.StopApplication();
        }
    }

    private async Task<int> RegisterSchemaAsync(CachedSchemaRegistryClient registry, string url, NormalizerOptions o, CancellationToken cancellationToken)
    {
        var autoRegister = o.AutoRegisterSchemas ?? string.IsNullOrWhiteSpace(o.SchemaRegistryUrl);
        var subject = SubjectNames.TopicValue(o.OutputTopic);
        var schema = new ConfluentSchema(DocumentEventContract.SchemaJson, SchemaType.Avro);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var id = autoRegister
                    ? await registry.RegisterSchemaAsync(subject, schema).WaitAsync(cancellationToken)
                    : (await registry.LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: true).WaitAsync(cancellationToken)).Id;
                LogRegistered(subject, id, url);
                return id;
            }
            catch (RegistryException e) when (!autoRegister && e.Status == System.Net.HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException(
                    $"The DocumentEvent contract is not registered under {subject} at {url} and Normalizer:AutoRegisterSchemas is off: " +
                    $"run the deployment step that registers contracts/avro/DocumentEvent.avsc (registry said: {e.Message})", e);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested && attempt < 10)
            {
                LogRegistryRetry(url, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private string OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Normalizer:SchemaRegistryUrl is empty and the web server has no address to host the registry on");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri.ToString();
    }

    private Task WhenStarted(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "DocumentEvent schema under {Subject} has id {SchemaId} at {Registry}")]
    private partial void LogRegistered(string subject, int schemaId, string registry);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Schema registry {Registry} not reachable yet: {Error}")]
    private partial void LogRegistryRetry(string registry, string error);

    [LoggerMessage(EventId = 132, Level = LogLevel.Critical, Message = "The normalizer stopped on a fatal error; stopping the application")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
