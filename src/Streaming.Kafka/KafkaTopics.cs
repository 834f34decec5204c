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
    ];
}

/// <summary>A topic to create: name, partition count, replication factor.</summary>
public sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor = 1);
