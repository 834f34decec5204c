using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Kafka;
using Streaming.Status.Projection;
using Streaming.Testing;
using streaming.documents.v1;

namespace Streaming.Status.Tests.Support;

/// <summary>Produces DocumentEvents as the normalizer does: Confluent's AvroSerializer, key = document token.</summary>
public sealed class EventProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly AvroSerializer<DocumentEvent> _serializer;
    private readonly CachedSchemaRegistryClient _registry;
    private readonly SerializationContext _context;

    public EventProducer(string topic, Uri registry)
    {
        Topic = topic;
        _registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.AbsoluteUri });
        // Registers the contract under <topic>-value on first use, as the embedded normalizer does.
        _serializer = new AvroSerializer<DocumentEvent>(_registry);
        _context = new SerializationContext(MessageComponentType.Value, topic);
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
        var value = await _serializer.SerializeAsync(ToEvent(e), _context);
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

    public static DocumentEvent ToEvent(ProjectedEvent e) => new()
    {
        EventId = e.EventId,
        Provider = e.Provider,
        ProviderEventType = e.ProviderEventType,
        EventType = Enum.Parse<EventType>(e.EventType),
        Status = e.Status switch
        {
            LifecycleStatus.Pending => DocumentStatus.PENDING,
            LifecycleStatus.InProgress => DocumentStatus.IN_PROGRESS,
            LifecycleStatus.NeedsReview => DocumentStatus.NEEDS_REVIEW,
            LifecycleStatus.Completed => DocumentStatus.COMPLETED,
            LifecycleStatus.Rejected => DocumentStatus.REJECTED,
            _ => DocumentStatus.UNKNOWN,
        },
        DocumentToken = e.DocumentToken,
        KeySource = KeySource.DOCUMENT,
        Subject = new Subject { Kind = SubjectKind.SIGNER, Id = "1" },
        OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(e.OccurredAtMs).UtcDateTime,
        ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(e.ReceivedAtMs).UtcDateTime,
        Test = e.Test,
        Source = new RawRecordRef { Topic = "webhooks.raw.v1", Partition = 0, Offset = 0, ProviderEventId = e.EventId },
    };

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        _registry.Dispose();
    }
}
