using System.Buffers;

namespace Streaming.Grpc.Tests;

public sealed class GrpcFramingTests
{
    private const int Max = 1024;

    [Fact]
    public void Frame_has_zero_flag_and_big_endian_length()
    {
        var frame = GrpcFraming.Frame([0xAA, 0xBB, 0xCC]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC }, frame);
    }

    [Fact]
    public void Reads_a_whole_frame_and_reports_what_it_consumed()
    {
        var bytes = GrpcFraming.Frame([1, 2, 3]).Concat(new byte[] { 9 }).ToArray();
        var result = GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(bytes), Max, out var message, out var consumed, out var length);
        Assert.Equal(GrpcFraming.ReadResult.Frame, result);
        Assert.Equal(3, length);
        Assert.Equal(new byte[] { 1, 2, 3 }, message.ToArray());
        Assert.Equal(8, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
    }

    [Fact]
    public void Reads_an_empty_message()
    {
        var result = GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(GrpcFraming.Frame([])), Max, out var message, out _, out _);
        Assert.Equal(GrpcFraming.ReadResult.Frame, result);
        Assert.True(message.IsEmpty);
    }

    [Fact]
    public void Reads_a_frame_split_across_segments()
    {
        var frame = GrpcFraming.Frame([1, 2, 3, 4, 5, 6]);
        var sequence = Segments.Of(frame[..2], frame[2..7], frame[7..]);
        Assert.Equal(GrpcFraming.ReadResult.Frame, GrpcFraming.TryReadFrame(sequence, Max, out var message, out _, out _));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, message.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    public void Reports_incomplete_for_a_truncated_frame(int available)
    {
        var frame = GrpcFraming.Frame([1, 2, 3]);
        var result = GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(frame[..available]), Max, out _, out _, out _);
        Assert.Equal(GrpcFraming.ReadResult.Incomplete, result);
    }

    [Fact]
    public void Rejects_compressed_flag()
    {
        var frame = GrpcFraming.Frame([1]);
        frame[0] = 1;
        Assert.Equal(GrpcFraming.ReadResult.Compressed, GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(frame), Max, out _, out _, out _));
    }

    [Fact]
    public void Rejects_unknown_flag()
    {
        var frame = GrpcFraming.Frame([1]);
        frame[0] = 7;
        Assert.Equal(GrpcFraming.ReadResult.InvalidFlag, GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(frame), Max, out _, out _, out _));
    }

    [Fact]
    public void Rejects_a_declared_length_over_the_limit_before_the_body_arrives()
    {
        byte[] header = [0, 0xFF, 0xFF, 0xFF, 0xFF];
        var result = GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(header), Max, out _, out _, out var length);
        Assert.Equal(GrpcFraming.ReadResult.TooLarge, result);
        Assert.Equal(uint.MaxValue, (uint)length);
    }

    [Fact]
    public void Accepts_a_message_exactly_at_the_limit()
    {
        var frame = GrpcFraming.Frame(new byte[Max]);
        Assert.Equal(GrpcFraming.ReadResult.Frame, GrpcFraming.TryReadFrame(new ReadOnlySequence<byte>(frame), Max, out _, out _, out _));
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(params byte[][] parts)
        {
            var first = new Segments(parts[0], 0);
            var last = first;
            foreach (var part in parts.Skip(1))
            {
                var next = new Segments(part, last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
