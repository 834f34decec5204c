namespace Streaming.Samples.StatusSubscriber;

/// <summary>Where the subscriber reads from and under which consumer group.</summary>
public sealed record SubscriberOptions
{
    /// <summary>Kafka bootstrap servers (add security settings to <see cref="KafkaConfig"/>).</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The schema registry holding the contracts (documents.events.v1-value, documents.status.v1-value).</summary>
    public required string SchemaRegistryUrl { get; init; }

    /// <summary>
    /// Your own consumer group for documents.events.v1: one per application, named after the team and the
    /// application (e.g. "billing.document-mirror"), never shared with another application or with the product's
    /// own groups ("normalizer", "status"). A new name replays from <see cref="EventsFrom"/>.
    /// </summary>
    public required string GroupId { get; init; }

    public string StatusTopic { get; init; } = "documents.status.v1";

    public string EventsTopic { get; init; } = "documents.events.v1";

    /// <summary>
    /// Where a group with no committed offset starts on documents.events.v1: Latest (the table already holds the
    /// history's outcome; events written while the new group first joins may not reach the handler, though their
    /// effect reaches the table) or Earliest (replay every event). A group that committed resumes where it stopped.
    /// </summary>
    public Confluent.Kafka.AutoOffsetReset EventsFrom { get; init; } = Confluent.Kafka.AutoOffsetReset.Latest;

    /// <summary>Any other librdkafka property (security.protocol, sasl.*, ...), passed to both consumers.</summary>
    public IReadOnlyDictionary<string, string> KafkaConfig { get; init; } = new Dictionary<string, string>();
}
