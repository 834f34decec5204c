using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Avro.Generic;
using Avro.IO;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Processing;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

/// <summary>Topics and identity of one test's normalizer: unique per test, shared by its restarts.</summary>
public sealed record NormalizerSetup(string Input, string Output, string DeadLetter, string GroupId, string TransactionalId, int Partitions)
{
    public static NormalizerSetup Create(int partitions = 3)
    {
        var input = TestKafka.CreateTopic("raw", partitions);
        var output = TestKafka.CreateTopic("events", partitions);
        var dlq = TestKafka.CreateTopic("dlq", partitions);
        var id = Guid.NewGuid().ToString("N")[..12];
        return new NormalizerSetup(input, output, dlq, "normalizer-" + id, "normalizer-test-" + id, partitions);
    }

    public async Task ProduceAsync(params RawWebhook[] webhooks)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = TestKafka.BootstrapServers,
            EnableIdempotence = true,
            Partitioner = Streaming.Kafka.KafkaClientDefaults.KeyPartitioner,
        }).Build();
        foreach (var webhook in webhooks)
        {
            await producer.ProduceAsync(Input, webhook.ToMessage());
        }
    }

    /// <summary>Normalized events as a read_committed downstream reader sees them.</summary>
    public List<(ConsumeResult<string?, byte[]> Record, GenericRecord Event)> ReadEvents(int expected, TimeSpan? timeout = null) =>
        TestKafka.ReadAll(Output, expected, timeout ?? TimeSpan.FromSeconds(20))
            .Select(r => (r, Decode(r.Message.Value)))
            .ToList();

    public List<ConsumeResult<string?, byte[]>> ReadDeadLetters(int expected, TimeSpan? timeout = null) =>
        TestKafka.ReadAll(DeadLetter, expected, timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>A normalized value read with the contract, past Confluent's framing (magic byte 0, then a big-endian int32 schema id).</summary>
    public static GenericRecord Decode(byte[] value)
    {
        Assert.True(value.Length > 5 && value[0] == 0, "not in Confluent's wire format");
        var schema = streaming.documents.v1.DocumentEvent._SCHEMA;
        using var stream = new MemoryStream(value, 5, value.Length - 5, writable: false);
        return new GenericDatumReader<GenericRecord>(schema, schema).Read(null!, new BinaryDecoder(stream));
    }

    /// <summary>The group's committed offsets summed over the input partitions.</summary>
    public long CommittedOffsets()
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = TestKafka.BootstrapServers, GroupId = GroupId }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Input, p)), TimeSpan.FromSeconds(10));
        return committed.Sum(c => c.Offset.Value < 0 ? 0 : c.Offset.Value);
    }
}

/// <summary>The real normalizer (web app, worker, embedded registry on its port) against the test broker.</summary>
public sealed class NormalizerHost : IAsyncDisposable
{
    private NormalizerHost(WebApplication app, LogLines logs)
    {
        App = app;
        Logs = logs;
    }

    public WebApplication App { get; }

    public LogLines Logs { get; }

    public NormalizerWorker Worker => App.Services.GetRequiredService<NormalizerWorker>();

    public NormalizerFaultInjection Faults => App.Services.GetRequiredService<NormalizerFaultInjection>();

    public Uri Address => new(App.Addresses().First());

    public static async Task<NormalizerHost> StartAsync(
        NormalizerSetup setup,
        bool strict = false,
        Func<FaultPoint, bool>? crashAt = null,
        int batchSize = 100,
        bool? commitOffsetsOutsideTransaction = null,
        Confluent.Kafka.GroupProtocol groupProtocol = Confluent.Kafka.GroupProtocol.Classic,
        string? transactionalId = null,
        TimeSpan? batchTimeout = null)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={TestKafka.BootstrapServers}",
            "--Kafka:AutoCreateTopics=false",
            "--Normalizer:AllowEmbeddedRegistry=true",
            $"--Normalizer:InputTopic={setup.Input}",
            $"--Normalizer:OutputTopic={setup.Output}",
            $"--Normalizer:DeadLetterTopic={setup.DeadLetter}",
            $"--Normalizer:GroupId={setup.GroupId}",
            $"--Normalizer:TransactionalId={transactionalId ?? setup.TransactionalId}",
            $"--Normalizer:StrictEventTypes={strict}",
            $"--Normalizer:BatchSize={batchSize}",
            $"--Normalizer:BatchTimeout={batchTimeout ?? TimeSpan.FromMilliseconds(50)}",
            "--Normalizer:SessionTimeout=00:00:06",
            "--Normalizer:TransactionTimeout=00:00:10",
            // The mock does not store transactional offsets (TransactionSemanticsTests.Mock_gap_transactional_offset_commits_are_discarded).
            $"--Normalizer:CommitOffsetsOutsideTransaction={commitOffsetsOutsideTransaction ?? !TestKafka.IsRealBroker}",
            $"--Normalizer:GroupProtocol={groupProtocol}",
        ];
        var logs = new LogLines();
        var app = NormalizerApplication.Create(args, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);

            // The crash hook exists only in tests: the service never registers it.
            builder.Services.AddSingleton(new NormalizerFaultInjection { CrashAt = crashAt });
        });
        await app.StartAsync();
        var host = new NormalizerHost(app, logs);
        await Eventually.True(() => host.Worker.Loop is { Running: true }, TimeSpan.FromSeconds(20), "the normalizer loop to run");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Log lines of one host, for asserting on what it said.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception?.Message}");
    }
}
