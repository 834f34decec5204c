using System.Buffers.Binary;

namespace Streaming.SchemaRegistry;

/// <summary>Confluent's framing of a Kafka message value: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro body.</summary>
public static class ConfluentWireFormat
{
    public const byte MagicByte = 0;

    public const int HeaderLength = 5;

    public static byte[] Write(int schemaId, ReadOnlySpan<byte> avroBody)
    {
        byte[] message = new byte[HeaderLength + avroBody.Length];
        message[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1, 4), schemaId);
        avroBody.CopyTo(message.AsSpan(HeaderLength));
        return message;
    }

    public static bool TryRead(ReadOnlyMemory<byte> message, out int schemaId, out ReadOnlyMemory<byte> body)
    {
        ReadOnlySpan<byte> span = message.Span;
        if (span.Length < HeaderLength || span[0] != MagicByte)
        {
            schemaId = 0;
            body = default;
            return false;
        }

        schemaId = BinaryPrimitives.ReadInt32BigEndian(span.Slice(1, 4));
        body = message[HeaderLength..];
        return true;
    }

    /// <exception cref="InvalidDataException">The message is shorter than the header or does not start with magic byte 0.</exception>
    public static (int SchemaId, ReadOnlyMemory<byte> Body) Read(ReadOnlyMemory<byte> message)
    {
        if (message.Length < HeaderLength)
        {
            throw new InvalidDataException($"A Confluent-framed message has at least {HeaderLength} bytes; this one has {message.Length}");
        }

        if (message.Span[0] != MagicByte)
        {
            throw new InvalidDataException($"A Confluent-framed message starts with magic byte 0, not {message.Span[0]}; it was not written with a schema registry serializer");
        }

        TryRead(message, out int schemaId, out ReadOnlyMemory<byte> body);
        return (schemaId, body);
    }
}
