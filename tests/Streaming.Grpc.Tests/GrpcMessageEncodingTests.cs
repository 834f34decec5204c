namespace Streaming.Grpc.Tests;

public sealed class GrpcMessageEncodingTests
{
    [Theory]
    [InlineData("document 'abc' is not known", "document 'abc' is not known")]
    [InlineData("a/b?c=d&e#f", "a/b?c=d&e#f")]
    [InlineData("100%", "100%25")]
    [InlineData("caf\u00e9", "caf%C3%A9")]
    [InlineData("line1\nline2\ttab", "line1%0Aline2%09tab")]
    [InlineData("\u007f", "%7F")]
    [InlineData("emoji \U0001F600", "emoji %F0%9F%98%80")]
    [InlineData(" ~", " ~")]
    public void Encodes_only_bytes_outside_printable_ascii_and_percent(string message, string expected)
    {
        Assert.Equal(expected, GrpcMessageEncoding.Encode(message));
    }

    [Theory]
    [InlineData("caf\u00e9 100% \U0001F600 /x\r\n")]
    [InlineData("")]
    [InlineData("%%%")]
    public void Round_trips(string message)
    {
        Assert.Equal(message, GrpcMessageEncoding.Decode(GrpcMessageEncoding.Encode(message)));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("%41%4a", "AJ")]
    public void Decodes_leniently(string encoded, string expected)
    {
        Assert.Equal(expected, GrpcMessageEncoding.Decode(encoded));
    }
}
