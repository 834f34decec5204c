namespace Streaming.Grpc.Tests;

public sealed class BearerTokenAuthenticatorTests
{
    private const string Current = "current-token-0123456789";
    private const string Previous = "previous-token-0123456789";
    private readonly BearerTokenAuthenticator _authenticator = new([Current, Previous]);

    [Theory]
    [InlineData("Bearer " + Current)]
    [InlineData("Bearer " + Previous)]
    [InlineData("bearer " + Current)]
    [InlineData("Bearer  " + Current + " ")]
    public void Accepts_any_configured_token(string header)
    {
        Assert.Null(_authenticator.Check(header));
    }

    [Theory]
    [InlineData(null, "missing 'authorization'")]
    [InlineData("", "missing 'authorization'")]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer scheme")]
    [InlineData("Bearer ", "empty bearer token")]
    [InlineData("Bearer wrong-token-0123456789", "not accepted")]
    [InlineData("Bearer " + Current + "x", "not accepted")]
    public void Rejects_with_a_reason_that_never_contains_the_token(string? header, string expected)
    {
        var reason = _authenticator.Check(header);
        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_disabled_without_tokens()
    {
        Assert.False(new BearerTokenAuthenticator([]).Enabled);
    }
}
