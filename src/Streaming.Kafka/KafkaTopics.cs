namespace Streaming.Kafka;

/// <summary>The product's topic names, in one place.</summary>
public static class KafkaTopics
{
    /// <summary>Verified webhooks exactly as received (value = body bytes, key = document token).</summary>
    public const string Raw = "webhooks.raw.v1";

    /// <summary>Raw records the normalizer could not map, with the reason in a header.</summary>
    public const string RawDeadLetter = "webhooks.raw.dlq.v1";

    /// <summary>Normalized DocumentEvent records (Avro, Confluent wire format).</summary>
    public const string DocumentEvents = "documents.events.v1";

    /// <summary>
    /// The latest DocumentStatus snapshot per document (Avro, Confluent wire format, key = document token), written by
    /// the status service after each projection commit. Log-compacted: <see cref="StatusTopicConfig"/>.
    /// </summary>
    public const string DocumentStatus = "documents.status.v1";

    /// <summary>
    /// Settings of <see cref="DocumentStatus"/>: compacted (the last record per key is kept for ever); a record stays
    /// uncompacted for at least an hour, so a subscriber following the topic live sees every snapshot; tombstones stay
    /// a week, so a subscriber away for less than that still sees a deletion. docker-compose.yml and k8s/base/topics.yaml
    /// say the same.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> StatusTopicConfig = new Dictionary<string, string>
    {
        ["cleanup.policy"] = "compact",
        ["min.compaction.lag.ms"] = "3600000",
        ["delete.retention.ms"] = "604800000",
    };

    /// <summary>
    /// Largest record the product's topics accept: a 1 MiB webhook body plus headers must fit
    /// (Kafka's default, 1 MB, does not).
    /// </summary>
    public const int MaxMessageBytes = 2 * 1024 * 1024;

    /// <summary>All product topics with the partition count the embedded platform creates.</summary>
    public static IReadOnlyList<TopicSpec> All(int partitions, short replicationFactor = 1) =>
    [
        new(Raw, partitions, replicationFactor),
        new(RawDeadLetter, partitions, replicationFactor),
        new(DocumentEvents, partitions, replicationFactor),
        new(DocumentStatus, partitions, replicationFactor, StatusTopicConfig),
    ];
}

/// <summary>A topic to create: name, partition count, replication factor, and settings beyond the product's defaults.</summary>
public sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor = 1, IReadOnlyDictionary<string, string>? Configs = null);
