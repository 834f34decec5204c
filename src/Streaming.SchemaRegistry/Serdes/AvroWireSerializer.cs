using Avro.IO;
using Avro.Specific;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Writes a typed Avro record (Apache.Avro's <see cref="ISpecificRecord"/>) in Confluent's wire format (magic byte,
/// schema id, Avro body), as Confluent's AvroSerializer&lt;T&gt; does with TopicNameStrategy; the body is written by
/// Apache.Avro. The schema id is resolved once and kept.
/// </summary>
/// <remarks>
/// Stands in for Confluent.SchemaRegistry.Serdes.Avro while the services run Confluent.Kafka 1.9.3: the serdes
/// need Confluent.Kafka 2.x, which needs librdkafka 2.x. Same subject, same registration rules, same bytes.
/// </remarks>
public sealed class AvroWireSerializer<T>
    where T : ISpecificRecord, new()
{
    private readonly SchemaRegistryClient _client;
    private readonly bool _autoRegister;
    private readonly SpecificDatumWriter<T> _writer;
    private long _schemaId = -1;

    /// <param name="client">The registry client.</param>
    /// <param name="subject">The subject the schema belongs to, e.g. <see cref="SubjectNames.TopicValue"/>.</param>
    /// <param name="autoRegister">Register the schema if it is not yet there (Confluent's <c>auto.register.schemas</c>);
    /// without it the schema must already be registered (the production deployment step), else serializing fails with 40401/40403.</param>
    public AvroWireSerializer(SchemaRegistryClient client, string subject, bool autoRegister = true)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        _client = client;
        Subject = subject;
        _autoRegister = autoRegister;
        _writer = new SpecificDatumWriter<T>(new T().Schema);
    }

    public string Subject { get; }

    /// <summary>The schema id values are framed with; resolves it first (registering when allowed).</summary>
    /// <exception cref="SchemaRegistryException">The schema could not be registered or found.</exception>
    public async ValueTask<int> GetSchemaIdAsync(CancellationToken cancellationToken = default)
    {
        var id = Volatile.Read(ref _schemaId);
        if (id < 0)
        {
            id = await _client.GetIdAsync(Subject, _writer.Schema, _autoRegister, cancellationToken);
            Volatile.Write(ref _schemaId, id);
        }

        return (int)id;
    }

    /// <summary>Encodes a value with its framing.</summary>
    /// <exception cref="SchemaRegistryException">The schema could not be registered or found.</exception>
    /// <exception cref="Avro.AvroException">The value does not fit the schema.</exception>
    public async ValueTask<byte[]> SerializeAsync(T value, CancellationToken cancellationToken = default) =>
        Serialize(await GetSchemaIdAsync(cancellationToken), value);

    /// <summary>Encodes a value with its framing once the schema id is known (no I/O).</summary>
    public byte[] Serialize(int schemaId, T value)
    {
        using var body = new MemoryStream();
        _writer.Write(value, new BinaryEncoder(body));
        return ConfluentWireFormat.Write(schemaId, body.GetBuffer().AsSpan(0, (int)body.Length));
    }
}
