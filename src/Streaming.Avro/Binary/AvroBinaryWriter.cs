using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Streaming.Avro;

/// <summary>Writes the primitives of the Avro binary encoding to an <see cref="IBufferWriter{T}"/>.</summary>
public sealed class AvroBinaryWriter
{
    private readonly IBufferWriter<byte> output;

    public AvroBinaryWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        this.output = output;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt(int value) => WriteLong(value);

    /// <summary>Zig-zag then varint: small magnitudes, positive or negative, take few bytes.</summary>
    public void WriteLong(long value)
    {
        ulong zigZag = (ulong)((value << 1) ^ (value >> 63));
        Span<byte> span = output.GetSpan(10);
        int i = 0;
        while (zigZag >= 0x80)
        {
            span[i++] = (byte)(zigZag | 0x80);
            zigZag >>= 7;
        }

        span[i++] = (byte)zigZag;
        output.Advance(i);
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteLong(length);
        Span<byte> span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    /// <summary>Raw bytes with no length prefix (fixed values).</summary>
    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    /// <summary>Starts an array or map block of <paramref name="count"/> items; a count of 0 ends the value.</summary>
    public void WriteBlockCount(long count) => WriteLong(count);

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
