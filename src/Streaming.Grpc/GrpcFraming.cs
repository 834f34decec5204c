using System.Buffers;
using System.Buffers.Binary;

namespace Streaming.Grpc;

/// <summary>
/// The gRPC length-prefixed message: a 1-byte compressed flag, a 4-byte big-endian
/// length, then the message bytes.
/// </summary>
public static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>What <see cref="TryReadFrame"/> found at the start of a buffer.</summary>
    public enum ReadResult
    {
        /// <summary>A whole frame; <c>message</c> and <c>consumed</c> are set.</summary>
        Frame,
        /// <summary>Not enough bytes yet for a whole frame.</summary>
        Incomplete,
        /// <summary>The compressed flag is 1: we announce identity only, so we cannot read it.</summary>
        Compressed,
        /// <summary>The flag byte is neither 0 nor 1.</summary>
        InvalidFlag,
        /// <summary>The declared length exceeds the limit.</summary>
        TooLarge,
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> without copying.
    /// <paramref name="declaredLength"/> is set as soon as the header is complete.
    /// </summary>
    public static ReadResult TryReadFrame(
        in ReadOnlySequence<byte> buffer,
        int maxMessageSize,
        out ReadOnlySequence<byte> message,
        out SequencePosition consumed,
        out long declaredLength)
    {
        message = default;
        consumed = buffer.Start;
        declaredLength = -1;
        if (buffer.Length < HeaderSize)
        {
            return ReadResult.Incomplete;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                return ReadResult.Compressed;
            default:
                return ReadResult.InvalidFlag;
        }

        if (declaredLength > maxMessageSize)
        {
            return ReadResult.TooLarge;
        }

        if (buffer.Length - HeaderSize < declaredLength)
        {
            return ReadResult.Incomplete;
        }

        message = buffer.Slice(HeaderSize, declaredLength);
        consumed = message.End;
        return ReadResult.Frame;
    }

    /// <summary>Writes the 5-byte header for an uncompressed message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>A whole uncompressed frame around <paramref name="message"/>, for clients and tests.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var frame = new byte[HeaderSize + message.Length];
        WriteHeader(frame, message.Length);
        message.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }
}
