namespace Streaming.Avro.Tests;

public class ConfluentWireFormatTests
{
    [Fact]
    public void Writes_magic_byte_big_endian_id_then_body()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 1, 2, 0xaa, 0xbb }, ConfluentWireFormat.Write(258, [0xaa, 0xbb]));
    }

    [Fact]
    public void Reads_back_what_it_wrote()
    {
        byte[] message = ConfluentWireFormat.Write(int.MaxValue, [1, 2, 3]);
        Assert.True(ConfluentWireFormat.TryRead(message, out int id, out ReadOnlyMemory<byte> body));
        Assert.Equal(int.MaxValue, id);
        Assert.Equal(new byte[] { 1, 2, 3 }, body.ToArray());
        var (readId, readBody) = ConfluentWireFormat.Read(message);
        Assert.Equal(int.MaxValue, readId);
        Assert.Equal(3, readBody.Length);
    }

    [Fact]
    public void Accepts_empty_body()
    {
        Assert.True(ConfluentWireFormat.TryRead(new byte[] { 0, 0, 0, 0, 7 }, out int id, out ReadOnlyMemory<byte> body));
        Assert.Equal(7, id);
        Assert.True(body.IsEmpty);
    }

    [Fact]
    public void Rejects_wrong_magic_byte()
    {
        byte[] message = [1, 0, 0, 0, 1, 9];
        Assert.False(ConfluentWireFormat.TryRead(message, out _, out _));
        Assert.Contains("magic byte 0", Assert.Throws<InvalidDataException>(() => ConfluentWireFormat.Read(message)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_message_shorter_than_the_header()
    {
        byte[] message = [0, 0, 0, 1];
        Assert.False(ConfluentWireFormat.TryRead(message, out _, out _));
        Assert.Throws<InvalidDataException>(() => ConfluentWireFormat.Read(message));
    }
}
