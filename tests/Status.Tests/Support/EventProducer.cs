using Confluent.Kafka;
using Streaming.Avro;
using Streaming.Kafka;
using Streaming.SchemaRegistry;
using Streaming.Status.Projection;
using Streaming.Testing;

namespace Streaming.Status.Tests.Support;

/// <summary>Produces DocumentEvents as the normalizer does: Avro in Confluent's wire format, key = document token.</summary>
public sealed class EventProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly AvroWireSerializer _serializer;
    private readonly SchemaRegistryClient _registry;

    public EventProducer(string topic, Uri registry)
    {
        Topic = topic;
        _registry = new SchemaRegistryClient(new SchemaRegistryClientOptions { Url = registry });
        _serializer = AvroWireSerializer.ForTopic(_registry, topic, DocumentEventDecoder.ReaderSchema);
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = TestKafka.BootstrapServers,
            EnableIdempotence = true,
            Partitioner = KafkaClientDefaults.KeyPartitioner,
            LingerMs = 0,
        }).Build();
    }

    public string Topic { get; }

    /// <summary>Produces and waits for the broker's acknowledgement (the record is then readable, read_committed included).</summary>
    public async Task ProduceAsync(ProjectedEvent e)
    {
        var value = await _serializer.SerializeAsync(ToRecord(e));
        await _producer.ProduceAsync(Topic, new Message<string, byte[]> { Key = e.DocumentToken, Value = value });
    }

    public async Task ProduceAsync(IEnumerable<ProjectedEvent> events)
    {
        foreach (var e in events)
        {
            await ProduceAsync(e);
        }
    }

    public Task ProduceRawAsync(string key, byte[] value) =>
        _producer.ProduceAsync(Topic, new Message<string, byte[]> { Key = key, Value = value });

    public static GenericRecord ToRecord(ProjectedEvent e)
    {
        var schema = DocumentEventDecoder.ReaderSchema;
        EnumSchema Enum(string field) => (EnumSchema)schema.GetField(field)!.Type;
        var subjectSchema = ((UnionSchema)schema.GetField("subject")!.Type).Branches.OfType<RecordSchema>().Single();
        var sourceSchema = (RecordSchema)schema.GetField("source")!.Type;
        return new GenericRecord(schema)
        {
            ["event_id"] = e.EventId,
            ["provider"] = e.Provider,
            ["provider_event_type"] = e.ProviderEventType,
            ["event_type"] = new GenericEnum(Enum("event_type"), e.EventType),
            ["status"] = new GenericEnum(Enum("status"), e.Status switch
            {
                LifecycleStatus.Pending => "PENDING",
                LifecycleStatus.InProgress => "IN_PROGRESS",
                LifecycleStatus.NeedsReview => "NEEDS_REVIEW",
                LifecycleStatus.Completed => "COMPLETED",
                LifecycleStatus.Rejected => "REJECTED",
                _ => "UNKNOWN",
            }),
            ["document_token"] = e.DocumentToken,
            ["key_source"] = new GenericEnum(Enum("key_source"), "DOCUMENT"),
            ["subject"] = new GenericRecord(subjectSchema)
            {
                ["kind"] = new GenericEnum((EnumSchema)subjectSchema.GetField("kind")!.Type, "SIGNER"),
                ["id"] = "1",
            },
            ["occurred_at"] = DateTimeOffset.FromUnixTimeMilliseconds(e.OccurredAtMs),
            ["received_at"] = DateTimeOffset.FromUnixTimeMilliseconds(e.ReceivedAtMs),
            ["test"] = e.Test,
            ["attributes"] = new Dictionary<string, object?>(),
            ["source"] = new GenericRecord(sourceSchema)
            {
                ["topic"] = "webhooks.raw.v1",
                ["partition"] = 0,
                ["offset"] = 0L,
                ["provider_event_id"] = e.EventId,
            },
        };
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        _registry.Dispose();
    }
}
