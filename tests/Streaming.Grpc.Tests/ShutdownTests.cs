using Grpc.Health.V1;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc.Tests.Support;

namespace Streaming.Grpc.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_ends_open_streams_with_unavailable_and_reports_not_serving()
    {
        var server = await GrpcTestServer.StartAsync();
        await using var _ = server;
        server.Service.Apply("doc-1", InMemoryDocumentStatusService.Event("evt-1", DocumentStatus.Pending, GrpcServerFixture.T0));
        using var client = new RawGrpcClient(server.Address);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await client.StartStreamAsync("/streaming.status.v1.DocumentStatusService/WatchDocumentStatus", new WatchDocumentStatusRequest { DocumentToken = "doc-1" }, timeout.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        Assert.NotNull(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));

        var stopping = server.StopAsync();
        Assert.Null(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal("14", string.Join(",", response.TrailingHeaders.GetValues("grpc-status")));
        Assert.True(server.Health.TryGetStatus("", out var overall));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, overall);
        await stopping.WaitAsync(timeout.Token);
    }
}
