using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.status.v1;
// Only the record: streaming.documents.v1 also has an enum named DocumentStatus (the status an event implies).
using DocumentEvent = streaming.documents.v1.DocumentEvent;

namespace Streaming.Samples.StatusSubscriber;

/// <summary>
/// Bootstraps a <see cref="StatusTable"/> from the compacted documents.status.v1 (every partition from the start to
/// its end, no consumer group: the table is rebuilt at every start), then keeps it current and follows
/// documents.events.v1 in the subscriber's own consumer group, read_committed, committing an event's offset only
/// after the handler returned (at least once: a handler may see an event again after a crash, and can dedupe on
/// DocumentEvent.event_id). The status rules are never re-implemented here: the table is what the status service
/// decided.
/// </summary>
public sealed class StatusSubscriber : IDisposable
{
    private readonly SubscriberOptions _options;
    private readonly CachedSchemaRegistryClient _registry;
    private readonly IConsumer<string, DocumentStatus?> _statusConsumer;
    private volatile bool _eventsAssigned;

    public StatusSubscriber(SubscriberOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = options.SchemaRegistryUrl });
        _statusConsumer = new ConsumerBuilder<string, DocumentStatus?>(Config(options.GroupId + ".status-table", AutoOffsetReset.Earliest, partitionEof: true))
            .SetValueDeserializer(new AvroDeserializer<DocumentStatus?>(_registry).AsSyncOverAsync())
            .Build();
    }

    public StatusTable Table { get; } = new();

    /// <summary>True once the events consumer owns its partitions (from then on no new event is missed).</summary>
    public bool FollowingEvents => _eventsAssigned;

    /// <summary>Reads documents.status.v1 from the beginning to the end it had when called; returns the number of records read.</summary>
    public int Bootstrap(CancellationToken cancellationToken)
    {
        var partitions = Partitions(_options.StatusTopic);
        _statusConsumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var pending = partitions.Select(p => p.Partition.Value).ToHashSet();
        var read = 0;
        while (pending.Count > 0)
        {
            var record = _statusConsumer.Consume(cancellationToken);
            if (record.IsPartitionEOF)
            {
                pending.Remove(record.Partition.Value);
                continue;
            }

            Table.Apply(record.Message.Key, record.Message.Value);
            read++;
        }

        return read;
    }

    /// <summary>
    /// After <see cref="Bootstrap"/>: applies new snapshots to the table and hands each documents.events.v1 event,
    /// with the table's row for its document, to <paramref name="onEvent"/>, until cancelled.
    /// </summary>
    public async Task FollowAsync(Func<DocumentEvent, DocumentStatus?, CancellationToken, Task> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        var snapshots = Task.Factory.StartNew(() => FollowSnapshots(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var events = Task.Factory.StartNew(() => FollowEvents(onEvent, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Task.WhenAll(snapshots, events);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _statusConsumer.Dispose();
        _registry.Dispose();
    }

    private void FollowSnapshots(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var record = _statusConsumer.Consume(cancellationToken);
            if (!record.IsPartitionEOF)
            {
                Table.Apply(record.Message.Key, record.Message.Value);
            }
        }
    }

    private void FollowEvents(Func<DocumentEvent, DocumentStatus?, CancellationToken, Task> onEvent, CancellationToken cancellationToken)
    {
        var config = Config(_options.GroupId, _options.EventsFrom, partitionEof: false);
        // Commit only what the handler finished: offsets are stored after it returns, committed every 5 s and on close.
        config.EnableAutoOffsetStore = false;
        using var consumer = new ConsumerBuilder<string, DocumentEvent>(config)
            .SetValueDeserializer(new AvroDeserializer<DocumentEvent>(_registry).AsSyncOverAsync())
            .SetPartitionsAssignedHandler((_, _) => _eventsAssigned = true)
            .Build();
        consumer.Subscribe(_options.EventsTopic);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var record = consumer.Consume(cancellationToken);
                onEvent(record.Message.Value, Table.Get(record.Message.Key), cancellationToken).GetAwaiter().GetResult();
                consumer.StoreOffset(record);
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private ConsumerConfig Config(string groupId, AutoOffsetReset reset, bool partitionEof) =>
        new(new Dictionary<string, string>(_options.KafkaConfig))
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = groupId,
            // Only what producers committed: the normalizer writes in transactions.
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = reset,
            EnablePartitionEof = partitionEof,
        };

    private List<TopicPartition> Partitions(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(_options.KafkaConfig)) { BootstrapServers = _options.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        if (metadata.Error.IsError)
        {
            throw new KafkaException(metadata.Error);
        }

        return [.. metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value)];
    }
}
