using Grpc.Health.V1;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc.Tests.Support;

namespace Streaming.Grpc.Tests;

public sealed class AuthenticationTests : IClassFixture<AuthenticatedGrpcServerFixture>
{
    private const string Get = "/streaming.status.v1.DocumentStatusService/GetDocumentStatus";
    private readonly AuthenticatedGrpcServerFixture _fixture;

    public AuthenticationTests(AuthenticatedGrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Missing_token_is_unauthenticated_and_says_what_to_send()
    {
        var result = await _fixture.Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" });
        Assert.Equal(StatusCode.Unauthenticated, result.Status);
        Assert.True(result.TrailersOnly);
        Assert.Contains("missing 'authorization'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_token_is_unauthenticated_and_not_echoed()
    {
        var result = await _fixture.Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, authorization: "Bearer guessed-token-ABCDEFGHIJ");
        Assert.Equal(StatusCode.Unauthenticated, result.Status);
        Assert.Equal("the bearer token is not accepted by this server", result.Message);
        Assert.DoesNotContain(_fixture.Server.Logs.Entries, e => e.Message.Contains("guessed-token", StringComparison.Ordinal));
        Assert.Contains(_fixture.Server.Logs.Entries, e => e.EventId.Id == 7104);
    }

    [Fact]
    public async Task Wrong_scheme_is_unauthenticated()
    {
        var result = await _fixture.Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, authorization: AuthenticatedGrpcServerFixture.Token);
        Assert.Equal(StatusCode.Unauthenticated, result.Status);
        Assert.Contains("Bearer scheme", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthenticatedGrpcServerFixture.Token)]
    [InlineData(AuthenticatedGrpcServerFixture.RotatedToken)]
    public async Task Any_configured_token_is_accepted(string token)
    {
        var result = await _fixture.Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, authorization: "Bearer " + token);
        Assert.Equal(StatusCode.OK, result.Status);
    }

    [Fact]
    public async Task Authentication_is_checked_before_the_request_is_read()
    {
        var result = await _fixture.Client.SendAsync(_fixture.Client.Request(Get, [0, 0x7F, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(StatusCode.Unauthenticated, result.Status);
    }

    [Fact]
    public async Task Health_is_open_without_token()
    {
        var result = await _fixture.Client.UnaryAsync("/grpc.health.v1.Health/Check", new HealthCheckRequest());
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, result.SingleMessage(HealthCheckResponse.Parser).Status);
    }

    [Fact]
    public async Task Reflection_requires_the_token()
    {
        var result = await _fixture.Client.UnaryAsync("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", new global::Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" });
        Assert.Equal(StatusCode.Unauthenticated, result.Status);
    }
}
