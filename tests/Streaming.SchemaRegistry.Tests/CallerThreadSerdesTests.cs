using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.v1;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// Confluent's serdes run on the caller's thread: a loop thread serializing or deserializing record by record must
/// not need the thread pool once the schema is known (one pool trip per record is what made the projection wait
/// behind the web server's work under load).
/// Alone in its collection: it counts the process's thread-pool work items.
/// </summary>
[Collection(nameof(CallerThreadSerdesTests))]
public sealed class CallerThreadSerdesTests : IAsyncLifetime
{
    private const int Records = 2_000;
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, "documents.events.v1");

    private RegistryHost _host = null!;
    private CachedSchemaRegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await RegistryHost.StartAsync();
        _client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _host.Url.AbsoluteUri });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public void Warm_serdes_round_trip_without_the_thread_pool()
    {
        var serializer = new AvroSerializer<DocumentEvent>(_client);
        var deserializer = new AvroDeserializer<DocumentEvent>(_client);
        var written = ConfluentClientTests.Sample();
        // The first use registers and fetches the schema over HTTP: that may (and should) use the pool.
        var first = serializer.SerializeOnCallerThread(written, ValueContext);
        Assert.Equivalent(written, deserializer.DeserializeOnCallerThread<DocumentEvent>(first, ValueContext), strict: true);

        var (inline, inlineItems) = OnOwnThread(() =>
        {
            DocumentEvent? last = null;
            for (var i = 0; i < Records; i++)
            {
                last = deserializer.DeserializeOnCallerThread<DocumentEvent>(serializer.SerializeOnCallerThread(written, ValueContext), ValueContext);
            }

            return last;
        });
        var (_, blockingItems) = OnOwnThread(() =>
        {
            for (var i = 0; i < Records; i++)
            {
                serializer.SerializeAsync(written, ValueContext).GetAwaiter().GetResult();
            }

            return (DocumentEvent?)null;
        });

        Assert.Equivalent(written, inline, strict: true);
        // Other work of the process (the registry host's timers) may use the pool meanwhile, a handful of items at most;
        // waiting on the serializer's task from the loop thread costs at least one work item per record.
        Assert.True(blockingItems >= Records, $"baseline: {blockingItems} pool work items for {Records} blocking serializations");
        Assert.True(inlineItems < Records / 20, $"{inlineItems} pool work items for {Records} round trips on the caller's thread");
    }

    private static (T Result, long PoolWorkItems) OnOwnThread<T>(Func<T> work)
    {
        T result = default!;
        var before = ThreadPool.CompletedWorkItemCount;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return (result, ThreadPool.CompletedWorkItemCount - before);
    }
}

[CollectionDefinition(nameof(CallerThreadSerdesTests), DisableParallelization = true)]
public sealed class CallerThreadSerdesCollection;
