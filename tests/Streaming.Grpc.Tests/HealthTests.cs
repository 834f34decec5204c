using Grpc.Health.V1;
using Streaming.Grpc.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Grpc.Tests;

public sealed class HealthTests : IClassFixture<GrpcServerFixture>
{
    private const string Check = "/grpc.health.v1.Health/Check";
    private const string Watch = "/grpc.health.v1.Health/Watch";
    private readonly GrpcServerFixture _fixture;

    public HealthTests(GrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Theory]
    [InlineData("")]
    [InlineData("streaming.status.v1.DocumentStatusService")]
    [InlineData("grpc.health.v1.Health")]
    public async Task Overall_and_mapped_services_are_serving(string service)
    {
        var result = await _fixture.Client.UnaryAsync(Check, new HealthCheckRequest { Service = service });
        Assert.Equal(ServingStatus.Serving, result.SingleMessage(HealthCheckResponse.Parser).Status);
    }

    [Fact]
    public async Task Unknown_service_is_not_found()
    {
        var result = await _fixture.Client.UnaryAsync(Check, new HealthCheckRequest { Service = "no.such.Service" });
        Assert.Equal(StatusCode.NotFound, result.Status);
    }

    [Fact]
    public async Task Check_reflects_status_set_by_application_code()
    {
        _fixture.Server.Health.SetStatus("test.Check", ServingStatus.NotServing);
        var result = await _fixture.Client.UnaryAsync(Check, new HealthCheckRequest { Service = "test.Check" });
        Assert.Equal(ServingStatus.NotServing, result.SingleMessage(HealthCheckResponse.Parser).Status);
    }

    [Fact]
    public async Task Watch_sends_service_unknown_then_each_change()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await _fixture.Client.StartStreamAsync(Watch, new HealthCheckRequest { Service = "test.Watch" }, timeout.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);

        Assert.Equal(ServingStatus.ServiceUnknown, await NextAsync(stream, timeout.Token));
        _fixture.Server.Health.SetStatus("test.Watch", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await NextAsync(stream, timeout.Token));
        _fixture.Server.Health.SetStatus("test.Watch", ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, await NextAsync(stream, timeout.Token));
        _fixture.Server.Health.ClearStatus("test.Watch");
        Assert.Equal(ServingStatus.ServiceUnknown, await NextAsync(stream, timeout.Token));
    }

    private static async Task<ServingStatus> NextAsync(Stream stream, CancellationToken cancellationToken) =>
        HealthCheckResponse.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, cancellationToken)).Status;
}
