using System.Text;

namespace Streaming.Kafka.Tests;

public sealed class RawEventHeadersTests
{
    // Expected values computed outside .NET:
    //   python3 -c "import hashlib; print('sha256:' + hashlib.sha256(b'inkless\n' + BODY).hexdigest())"
    [Theory]
    [InlineData("inkless", "{\"event\":\"document_signed\"}", "sha256:d764f2b74cb544a646371a7aaf94366e72084fe21629324daea35f87b43638b4")]
    [InlineData("Inkless", "{\"event\":\"document_signed\"}", "sha256:d764f2b74cb544a646371a7aaf94366e72084fe21629324daea35f87b43638b4")]
    [InlineData("inkless", "", "sha256:c4c54d56b8d09f1016e3352cf06095ad28a26c1f4f37755d4338227f8f683e6c")]
    public void Body_hash_id_is_sha256_of_the_lowercase_provider_a_newline_and_the_body(string provider, string body, string expected)
    {
        Assert.Equal(expected, RawEventHeaders.BodyHashId(provider, Encoding.UTF8.GetBytes(body)));
    }
}
