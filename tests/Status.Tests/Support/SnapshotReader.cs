using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.SchemaRegistry;
using Streaming.Testing;
using streaming.documents.status.v1;

namespace Streaming.Status.Tests.Support;

/// <summary>One record of the status topic, decoded as a subscriber would (AvroDeserializer&lt;DocumentStatus&gt;).</summary>
public sealed record SnapshotRecord(string Key, DocumentStatus? Value, int Partition, long Offset);

/// <summary>Reads a status topic from the beginning to its current end.</summary>
public static class SnapshotReader
{
    public static async Task<IReadOnlyList<SnapshotRecord>> ReadAllAsync(string topic)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryClientOptions { Url = await TestRegistry.UrlAsync() }.ToConfluentConfig());
        using var consumer = new ConsumerBuilder<string, DocumentStatus?>(new ConsumerConfig
        {
            BootstrapServers = TestKafka.BootstrapServers,
            GroupId = "snapshot-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).SetValueDeserializer(new AvroDeserializer<DocumentStatus?>(registry).AsSyncOverAsync()).Build();

        var ends = new List<TopicPartitionOffset>();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = TestKafka.BootstrapServers }).Build())
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            foreach (var partition in metadata.Topics.Single().Partitions)
            {
                var tp = new TopicPartition(topic, partition.PartitionId);
                ends.Add(new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High));
            }
        }

        var records = new List<SnapshotRecord>();
        var remaining = ends.Where(e => e.Offset.Value > 0).ToDictionary(e => e.Partition.Value, e => e.Offset.Value);
        consumer.Assign(ends.Select(e => new TopicPartitionOffset(e.TopicPartition, Offset.Beginning)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (remaining.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{topic}: the end offsets were not reached within 30 s");
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record is null)
            {
                continue;
            }

            records.Add(new SnapshotRecord(record.Message.Key, record.Message.Value, record.Partition.Value, record.Offset.Value));
            if (record.Offset.Value + 1 >= remaining.GetValueOrDefault(record.Partition.Value, long.MaxValue))
            {
                remaining.Remove(record.Partition.Value);
            }
        }

        return records;
    }

    /// <summary>What log compaction leaves of the topic: the last record per key, in topic order.</summary>
    public static IReadOnlyDictionary<string, DocumentStatus?> Compacted(IEnumerable<SnapshotRecord> records) =>
        records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Offset).Last().Value, StringComparer.Ordinal);
}
