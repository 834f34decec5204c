using Streaming.Avro;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Writes values of one writer schema in Confluent's wire format (magic byte, schema id, Avro body),
/// as Confluent's AvroSerializer does with TopicNameStrategy. The schema id is resolved once and kept.
/// </summary>
public sealed class AvroWireSerializer
{
    private readonly SchemaRegistryClient _client;
    private readonly bool _autoRegister;
    private long _schemaId = -1;

    /// <param name="client">The registry client.</param>
    /// <param name="subject">The subject the schema belongs to, e.g. <see cref="SubjectNames.TopicValue"/>.</param>
    /// <param name="writerSchema">The schema values are written with.</param>
    /// <param name="autoRegister">Register the schema if it is not yet there (Confluent's <c>auto.register.schemas</c>);
    /// without it the schema must already be registered, else serializing fails with 40401/40403.</param>
    public AvroWireSerializer(SchemaRegistryClient client, string subject, AvroSchema writerSchema, bool autoRegister = true)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(writerSchema);
        _client = client;
        Subject = subject;
        WriterSchema = writerSchema;
        _autoRegister = autoRegister;
    }

    /// <summary>A serializer for a topic's values (or keys) under TopicNameStrategy.</summary>
    public static AvroWireSerializer ForTopic(
        SchemaRegistryClient client, string topic, AvroSchema writerSchema, bool isKey = false, bool autoRegister = true) =>
        new(client, SubjectNames.For(topic, isKey), writerSchema, autoRegister);

    public string Subject { get; }

    public AvroSchema WriterSchema { get; }

    /// <summary>Encodes a value of the generic data model (see <see cref="AvroSerializer"/>) with its framing.</summary>
    /// <exception cref="SchemaRegistryException">The schema could not be registered or found.</exception>
    /// <exception cref="AvroTypeException">The value does not fit the writer schema.</exception>
    public async ValueTask<byte[]> SerializeAsync(object? value, CancellationToken cancellationToken = default)
    {
        var id = Volatile.Read(ref _schemaId);
        if (id < 0)
        {
            id = await _client.GetIdAsync(Subject, WriterSchema, _autoRegister, cancellationToken);
            Volatile.Write(ref _schemaId, id);
        }

        return ConfluentWireFormat.Write((int)id, AvroSerializer.Serialize(WriterSchema, value));
    }
}
