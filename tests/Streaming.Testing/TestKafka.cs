using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;

namespace Streaming.Testing;

/// <summary>
/// The broker tests talk to: the embedded mock cluster by default, or the real cluster named
/// by KAFKA_BOOTSTRAP_SERVERS. Each test makes its own topics with unique names.
/// </summary>
public static class TestKafka
{
    private static readonly Lazy<EmbeddedKafkaCluster?> SharedEmbedded = new(() =>
        ExternalBootstrapServers is null ? EmbeddedKafkaCluster.Start() : null);

    /// <summary>KAFKA_BOOTSTRAP_SERVERS when set.</summary>
    public static string? ExternalBootstrapServers =>
        Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") is { Length: > 0 } servers ? servers : null;

    /// <summary>Bootstrap servers of the shared test cluster.</summary>
    public static string BootstrapServers => ExternalBootstrapServers ?? SharedEmbedded.Value!.BootstrapServers;

    /// <summary>A topic name no other test uses.</summary>
    public static string UniqueTopic(string prefix) => $"{prefix}.{Guid.NewGuid():N}";

    /// <summary>Creates a uniquely named topic on the shared cluster.</summary>
    public static string CreateTopic(string prefix, int partitions = 3) =>
        CreateTopic(BootstrapServers, SharedEmbedded.Value, UniqueTopic(prefix), partitions);

    /// <summary>Creates a topic on an embedded cluster, or with the admin API on a real one.</summary>
    public static string CreateTopic(string bootstrapServers, EmbeddedKafkaCluster? embedded, string name, int partitions)
    {
        if (embedded is not null)
        {
            embedded.CreateTopic(name, partitions);
            return name;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }])
            .GetAwaiter().GetResult();
        return name;
    }

    /// <summary>
    /// Reads every record of a topic from the beginning until <paramref name="expected"/> records
    /// arrived or the timeout passed (then returns what it has), in partition-then-offset order per partition.
    /// </summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(
        string bootstrapServers,
        string topic,
        int expected,
        TimeSpan timeout,
        IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            IsolationLevel = isolation,
            EnablePartitionEof = false,
        };
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetKeyDeserializer(NullableUtf8.Instance)
            .Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < expected && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null && !result.IsPartitionEOF)
            {
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }

    /// <summary>Shorthand for <see cref="ReadAll(string,string,int,TimeSpan,IsolationLevel)"/> on the shared cluster.</summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(string topic, int expected, TimeSpan timeout) =>
        ReadAll(BootstrapServers, topic, expected, timeout);

    /// <summary>Total records in a topic (sum of high watermarks; every test topic starts empty).</summary>
    public static long CountRecords(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-watermarks",
        }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value;
        }

        return total;
    }

    private sealed class NullableUtf8 : IDeserializer<string?>
    {
        public static readonly NullableUtf8 Instance = new();

        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null : System.Text.Encoding.UTF8.GetString(data);
    }
}
