// Normalized events per second with exactly-once on, against a pass-through consume-produce loop under the
// same transactions (same ExactlyOnceLoop, same batch settings), on the embedded broker, in one run.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;
using Streaming.Normalizer.Processing;
using Streaming.SchemaRegistry;
using Streaming.SchemaRegistry.Server;
using streaming.documents.v1;

var events = Arg("--events", 20_000);
var rounds = Arg("--rounds", 2);
var batch = Arg("--batch", 500);
const int Partitions = 6;

using var cluster = EmbeddedKafkaCluster.Start();
var raw = "bench.raw";
cluster.CreateTopic(raw, Partitions);
Produce(cluster.BootstrapServers, raw, events);
Console.WriteLine($"librdkafka {KafkaNative.LoadedVersion}, {events} raw webhooks in {Partitions} partitions, batch {batch}, {Environment.ProcessorCount} cores");

// The normalizer's registry in the embedded mode: our endpoint in this process, Confluent's client of it.
await using var registryHost = await StartRegistryAsync();
using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryHost.Urls.Single() });

var catalog = MappingCatalog.LoadEmbedded();
var passRates = new List<double>();
var normRates = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var passOut = $"bench.pass.{round}";
    cluster.CreateTopic(passOut, Partitions);
    passRates.Add(Measure(cluster.BootstrapServers, raw, $"pass-{round}", batch, events, _ => new PassThroughTransform(passOut)));

    var normOut = $"bench.events.{round}";
    var dlq = $"bench.dlq.{round}";
    cluster.CreateTopic(normOut, Partitions);
    cluster.CreateTopic(dlq, Partitions);
    var serialize = await ContractSerializerAsync(registry, normOut);
    OutputHistoryReader? history = null;
    normRates.Add(Measure(cluster.BootstrapServers, raw, $"norm-{round}", batch, events, client =>
    {
        history = new OutputHistoryReader(client, raw, normOut, TimeSpan.FromDays(7), TimeSpan.FromSeconds(30), NullLogger.Instance);
        return new NormalizingTransform(
            new EventMapper(catalog, strictEventTypes: false),
            new NormalizerTopics(raw, normOut, dlq),
            serialize,
            new DedupeIndex(TimeSpan.FromDays(7), TimeProvider.System),
            history.Read,
            NullLogger.Instance);
    }));
    history?.Dispose();
    Console.WriteLine($"round {round}: pass-through {passRates[^1]:F0}/s, normalizer {normRates[^1]:F0}/s, ratio {normRates[^1] / passRates[^1]:F2}");
}

var ratio = normRates.Average() / passRates.Average();
Console.WriteLine($"RESULT pass-through {passRates.Average():F0} events/s, normalizer {normRates.Average():F0} events/s, ratio {ratio:F2} (target >= 0.5)");
return ratio >= 0.5 ? 0 : 1;

// As NormalizerWorker writes: the contract registered under the topic's subject, then Confluent's serializer looking it up
// (never registering by itself) on the loop's thread.
static async Task<Func<DocumentEvent, byte[]>> ContractSerializerAsync(CachedSchemaRegistryClient registry, string topic)
{
    await registry.RegisterSchemaAsync(SubjectNames.TopicValue(topic), new Schema(DocumentEventContract.SchemaJson, SchemaType.Avro));
    var serializer = new AvroSerializer<DocumentEvent>(registry, new AvroSerializerConfig { AutoRegisterSchemas = false });
    var context = new SerializationContext(MessageComponentType.Value, topic);
    return value => serializer.SerializeOnCallerThread(value, context);
}

static async Task<WebApplication> StartRegistryAsync()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Services.AddSchemaRegistry();
    var app = builder.Build();
    app.MapSchemaRegistry();
    await app.StartAsync();
    return app;
}

static double Measure(string bootstrap, string input, string name, int batch, int expected, Func<ClientConfig, IRecordTransform> transform)
{
    var client = new ClientConfig { BootstrapServers = bootstrap };
    var loop = new ExactlyOnceLoop(
        new LoopSettings(client, input, "bench-" + name, "bench-" + name, batch, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), MirrorOffsetCommits: true),
        transform(client),
        NullLogger.Instance);
    using var stop = new CancellationTokenSource();
    var thread = new Thread(() => loop.Run(stop.Token)) { IsBackground = true, Name = name };
    thread.Start();

    // Rate over the records after the first 5%: group join and the first transaction's set-up are left out, for both loops alike.
    var warm = expected / 20;
    var deadline = Stopwatch.StartNew();
    while (loop.CommittedRecords < warm)
    {
        Wait(deadline);
    }

    var from = loop.CommittedRecords;
    var clock = Stopwatch.StartNew();
    while (loop.CommittedRecords < expected)
    {
        Wait(deadline);
    }

    var rate = (loop.CommittedRecords - from) / clock.Elapsed.TotalSeconds;
    stop.Cancel();
    thread.Join();
    return rate;
}

static void Wait(Stopwatch deadline)
{
    if (deadline.Elapsed > TimeSpan.FromMinutes(5))
    {
        throw new TimeoutException("the loop did not finish within 5 minutes");
    }

    Thread.Sleep(2); // a benchmark's polling interval, not a wait for a result in a test
}

static void Produce(string bootstrap, string topic, int count)
{
    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        EnableIdempotence = true,
        LingerMs = 5,
        Partitioner = KafkaClientDefaults.KeyPartitioner,
    }).Build();
    string[] inkless = ["document_signing_link_sent", "link_viewed", "document_signed", "email_delivered", "document_complete"];
    for (var i = 0; i < count; i++)
    {
        var token = "doc_" + (i % 2000).ToString("D6", CultureInfo.InvariantCulture);
        var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var (provider, type, id, body) = (i % 3) switch
        {
            0 => ("inkless", inkless[i % inkless.Length], (string?)null,
                JsonSerializer.SerializeToUtf8Bytes(new { @event = inkless[i % inkless.Length], secure_link_id = i, document_token = token, timestamp = at })),
            1 => ("insigner", "signer.completed", $"dlv_{i}",
                JsonSerializer.SerializeToUtf8Bytes(new { id = $"dlv_{i}", @event = "signer.completed", api_version = "2026-05-28", created_at = at, data = new { document_id = token, signer_id = $"sgn_{i}" } })),
            _ => ("instnt", "document.verification.success", $"evt_{i}",
                JsonSerializer.SerializeToUtf8Bytes(new { event_id = $"evt_{i}", event_type = "document.verification.success", timestamp = at, data = new { document_id = token, transaction_id = $"txn_{i}" } })),
        };
        var headers = new Headers();
        RawEventHeaders.Add(headers, RawEventHeaders.Provider, provider);
        RawEventHeaders.Add(headers, RawEventHeaders.EventId, id ?? RawEventHeaders.BodyHashId(provider, body));
        RawEventHeaders.Add(headers, RawEventHeaders.EventIdSource, id is null ? "body-hash" : "provider");
        RawEventHeaders.Add(headers, RawEventHeaders.EventType, type);
        RawEventHeaders.Add(headers, RawEventHeaders.OccurredAt, at);
        RawEventHeaders.Add(headers, RawEventHeaders.ReceivedAt, at);
        RawEventHeaders.Add(headers, RawEventHeaders.TestMode, "false");
        RawEventHeaders.Add(headers, RawEventHeaders.ContentType, "application/json");
        RawEventHeaders.Add(headers, RawEventHeaders.TraceParent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        RawEventHeaders.Add(headers, RawEventHeaders.KeySource, KeySources.Document);
        producer.Produce(topic, new Message<string, byte[]> { Key = token, Value = body, Headers = headers });
    }

    producer.Flush(TimeSpan.FromSeconds(60));
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
