using Streaming.Avro;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Reads Confluent wire-format messages: looks up the writer schema by the id in the framing (cached by the
/// client for good) and resolves the data to a reader schema, so readers keep working as writers evolve.
/// </summary>
public sealed class AvroWireDeserializer
{
    private readonly SchemaRegistryClient _client;

    /// <param name="client">The registry client.</param>
    /// <param name="readerSchema">The schema values are read as; null reads them as written.</param>
    public AvroWireDeserializer(SchemaRegistryClient client, AvroSchema? readerSchema = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        ReaderSchema = readerSchema;
    }

    public AvroSchema? ReaderSchema { get; }

    /// <summary>Decodes one message into the generic data model.</summary>
    /// <exception cref="InvalidDataException">The message is not in the wire format, or its body is malformed.</exception>
    /// <exception cref="SchemaRegistryException">The writer schema id is unknown (40403) or the registry is unreachable.</exception>
    /// <exception cref="AvroResolutionException">The writer's data cannot be read with the reader schema.</exception>
    public async ValueTask<object?> DeserializeAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var (schemaId, body) = ConfluentWireFormat.Read(message);
        var writerSchema = await _client.GetSchemaByIdAsync(schemaId, cancellationToken);
        return AvroDeserializer.Deserialize(body, writerSchema, ReaderSchema ?? writerSchema);
    }
}
