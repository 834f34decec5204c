using System.Collections.Concurrent;
using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Reads Confluent wire-format messages with Apache.Avro: looks up the writer schema by the id in the framing (cached
/// by the client for good) and resolves the data to <typeparamref name="T"/>'s schema, so readers keep working as
/// writers evolve. <typeparamref name="T"/> is a typed record (<see cref="ISpecificRecord"/>), or
/// <see cref="GenericRecord"/> to read any topic as written.
/// </summary>
/// <remarks>Stands in for Confluent's AvroDeserializer&lt;T&gt; while the services run Confluent.Kafka 1.9.3 (see <see cref="AvroWireSerializer{T}"/>).</remarks>
public sealed class AvroWireDeserializer<T>
{
    private static readonly Schema? ReaderSchema =
        typeof(ISpecificRecord).IsAssignableFrom(typeof(T)) ? ((ISpecificRecord)Activator.CreateInstance<T>()!).Schema : null;

    private readonly SchemaRegistryClient _client;
    private readonly ConcurrentDictionary<int, DatumReader<T>> _readers = new();

    public AvroWireDeserializer(SchemaRegistryClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>Decodes one message.</summary>
    /// <exception cref="InvalidDataException">The message is not in the wire format.</exception>
    /// <exception cref="SchemaRegistryException">The writer schema id is unknown (40403) or the registry is unreachable.</exception>
    /// <exception cref="AvroException">The body is malformed or cannot be read with the reader schema.</exception>
    public async ValueTask<T> DeserializeAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var (schemaId, body) = ConfluentWireFormat.Read(message);
        if (!_readers.TryGetValue(schemaId, out var reader))
        {
            var writerSchema = await _client.GetSchemaByIdAsync(schemaId, cancellationToken);
            reader = _readers.GetOrAdd(schemaId, ReaderSchema is null
                ? (DatumReader<T>)(object)new GenericDatumReader<GenericRecord>(writerSchema, writerSchema)
                : new SpecificDatumReader<T>(writerSchema, ReaderSchema));
        }

        using var stream = new MemoryStream(body.ToArray(), writable: false);
        try
        {
            return reader.Read(default!, new BinaryDecoder(stream));
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidCastException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            // Apache.Avro surfaces truncated or corrupt bodies as whatever the decoder hit.
            throw new AvroException($"the Avro body is malformed for writer schema {schemaId}: {e.Message}", e);
        }
    }
}
