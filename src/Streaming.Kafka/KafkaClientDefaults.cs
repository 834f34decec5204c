using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>Producer settings every product producer shares.</summary>
public static class KafkaClientDefaults
{
    /// <summary>
    /// The Java client's default partitioner (murmur2 of the key), so records with the same
    /// document token land on the same partition whichever client (ours, a CLI replay, a JVM
    /// service) produced them: per-document order depends on it.
    /// </summary>
    public const Partitioner KeyPartitioner = Partitioner.Murmur2Random;

    /// <summary>Reconnect quickly once a broker returns (librdkafka's default backoff grows to 10 s).</summary>
    public const int ReconnectBackoffMaxMs = 1000;
}
