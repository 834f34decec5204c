using Streaming.Contracts.Status.V1;
using Streaming.Grpc;
using Streaming.Grpc.Client;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Cli.Tests;

/// <summary>The small gRPC client of Streaming.Grpc against our server binding over real HTTP/2.</summary>
public sealed class GrpcChannelTests : IAsyncLifetime
{
    private FakeStatusServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeStatusServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Unary_call_returns_the_servers_message()
    {
        using var channel = new GrpcChannel(_server.Address);
        var state = await new DocumentStatusClient(channel).GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = FakeStatusServer.KnownToken });
        Assert.Equal(FakeStatusServer.Known, state);
    }

    [Fact]
    public async Task Error_status_becomes_a_GrpcException_with_its_code_and_decoded_message()
    {
        using var channel = new GrpcChannel(_server.Address);
        var ex = await Assert.ThrowsAsync<GrpcException>(() =>
            new DocumentStatusClient(channel).GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "doc_ü/unknown" }));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("document 'doc_ü/unknown' is not known", ex.Message);
    }

    [Fact]
    public async Task Unreachable_server_is_UNAVAILABLE()
    {
        using var channel = new GrpcChannel(new Uri("http://127.0.0.1:1"));
        var ex = await Assert.ThrowsAsync<GrpcException>(() =>
            new DocumentStatusClient(channel).GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "x" }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task A_passed_deadline_is_DEADLINE_EXCEEDED()
    {
        using var channel = new GrpcChannel(_server.Address);
        var ex = await Assert.ThrowsAsync<GrpcException>(() => new DocumentStatusClient(channel).GetDocumentStatusAsync(
            new GetDocumentStatusRequest { DocumentToken = FakeStatusServer.SlowToken }, new GrpcCallOptions { Deadline = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Server_streaming_yields_each_message_as_it_arrives_and_stops_on_cancel()
    {
        using var channel = new GrpcChannel(_server.Address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var changes = new List<DocumentStatusChange>();
        await foreach (var change in new DocumentStatusClient(channel).WatchDocumentStatusAsync(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token))
        {
            changes.Add(change);
            if (changes.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(DocumentChangeKind.Initial, changes[0].Kind);
        Assert.All(changes.Skip(1), c => Assert.Equal(DocumentChangeKind.Updated, c.Kind));
    }

    [Fact]
    public async Task Health_check_reports_serving()
    {
        using var channel = new GrpcChannel(_server.Address);
        Assert.Equal(ServingStatus.Serving, await new HealthClient(channel).CheckAsync());
    }

    [Fact]
    public async Task A_method_the_server_does_not_have_is_UNIMPLEMENTED()
    {
        using var channel = new GrpcChannel(_server.Address);
        var ex = await Assert.ThrowsAsync<GrpcException>(() =>
            channel.UnaryAsync("/streaming.status.v1.DocumentStatusService/NoSuchMethod", new GetDocumentStatusRequest(), DocumentState.Parser));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public void Only_cleartext_http_addresses_are_accepted() =>
        Assert.Throws<ArgumentException>(() => new GrpcChannel(new Uri("https://127.0.0.1:8081")));
}
