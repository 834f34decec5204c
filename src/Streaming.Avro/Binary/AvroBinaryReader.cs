using System.Buffers.Binary;
using System.Text;

namespace Streaming.Avro;

/// <summary>Reads the primitives of the Avro binary encoding from a span; malformed input throws <see cref="InvalidDataException"/>.</summary>
public ref struct AvroBinaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> data;
    private int position;

    public AvroBinaryReader(ReadOnlySpan<byte> data)
    {
        this.data = data;
        position = 0;
    }

    public readonly int Position => position;

    public readonly int Remaining => data.Length - position;

    public readonly bool IsAtEnd => position >= data.Length;

    public bool ReadBoolean()
    {
        byte b = ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new InvalidDataException($"Invalid boolean byte {b} at offset {position - 1}"),
        };
    }

    /// <summary>A zig-zag varint that must fit 32 bits.</summary>
    public int ReadInt()
    {
        int start = position;
        long value = ReadLong();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new InvalidDataException($"Int at offset {start} is out of range: {value}");
    }

    /// <summary>A zig-zag varint of at most ten bytes.</summary>
    public long ReadLong()
    {
        ulong raw = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            raw |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException($"Varint longer than ten bytes at offset {position}");
            }
        }

        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public byte[] ReadBytes() => ReadBytesSpan().ToArray();

    /// <summary>The bytes of a length-prefixed value, without copying.</summary>
    public ReadOnlySpan<byte> ReadBytesSpan() => Take(ReadLength());

    public string ReadString()
    {
        ReadOnlySpan<byte> bytes = ReadBytesSpan();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"String before offset {position} is not valid UTF-8", e);
        }
    }

    public byte[] ReadFixed(int size) => Take(size).ToArray();

    /// <summary>
    /// The item count of the next array or map block: 0 ends the value. A negative count on the wire means
    /// the block's byte size follows; it is returned in <paramref name="byteSize"/> (else -1) so skipping can jump.
    /// </summary>
    public long ReadBlockCount(out long byteSize)
    {
        long count = ReadLong();
        byteSize = -1;
        if (count == long.MinValue)
        {
            throw new InvalidDataException($"Invalid block count before offset {position}");
        }

        if (count < 0)
        {
            count = -count;
            byteSize = ReadLong();
            if (byteSize < 0)
            {
                throw new InvalidDataException($"Negative block size {byteSize} before offset {position}");
            }
        }

        return count;
    }

    public void Skip(int count) => Take(count);

    /// <summary>Skips a length-prefixed bytes or string value.</summary>
    public void SkipBytes() => Take(ReadLength());

    private int ReadLength()
    {
        long length = ReadLong();
        if (length < 0 || length > Remaining)
        {
            throw new InvalidDataException($"Length {length} before offset {position} is negative or beyond the {Remaining} remaining bytes");
        }

        return (int)length;
    }

    private byte ReadByte()
    {
        if (position >= data.Length)
        {
            throw new InvalidDataException($"Unexpected end of data at offset {position}");
        }

        return data[position++];
    }

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new InvalidDataException($"Unexpected end of data: need {count} bytes at offset {position}, {Remaining} remain");
        }

        ReadOnlySpan<byte> slice = data.Slice(position, (int)count);
        position += (int)count;
        return slice;
    }
}
