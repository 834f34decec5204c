using Google.Protobuf;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc.Tests.Support;

namespace Streaming.Grpc.Tests;

public sealed class ServerStreamingTests : IClassFixture<GrpcServerFixture>
{
    private const string Watch = "/streaming.status.v1.DocumentStatusService/WatchDocumentStatus";
    private readonly GrpcServerFixture _fixture;

    public ServerStreamingTests(GrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Watch_streams_the_initial_state_then_each_change_as_it_happens()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await _fixture.Client.StartStreamAsync(Watch, new WatchDocumentStatusRequest { DocumentToken = "doc-2" }, timeout.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);

        var initial = DocumentStatusChange.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal(DocumentChangeKind.Initial, initial.Kind);
        Assert.Equal(DocumentStatus.Completed, initial.Document.Status);

        // Each message must arrive on its own (flushed), not wait for the end of the stream.
        _fixture.Server.Service.Apply("doc-2", InMemoryDocumentStatusService.Event("evt-r", DocumentStatus.Rejected, GrpcServerFixture.T0.AddHours(1)));
        var update = DocumentStatusChange.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal(DocumentChangeKind.Updated, update.Kind);
        Assert.Equal(DocumentStatus.Rejected, update.Document.Status);
        Assert.Equal("evt-r", update.Event.EventId);
    }

    [Fact]
    public async Task Client_cancellation_cancels_the_handler()
    {
        var before = _fixture.Server.Service.WatcherCount;
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            using var response = await _fixture.Client.StartStreamAsync(Watch, new WatchDocumentStatusRequest { DocumentToken = "doc-1" }, cts.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            Assert.NotNull(await RawGrpcClient.ReadFrameAsync(stream, cts.Token));
            Assert.Equal(before + 1, _fixture.Server.Service.WatcherCount);
        }

        // Disposing the response resets the HTTP/2 stream; the handler's token must fire.
        await Poll.UntilAsync(() => _fixture.Server.Service.WatcherCount == before, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Deadline_ends_a_stream_with_deadline_exceeded_in_trailers()
    {
        var request = _fixture.Client.Request(Watch, RawGrpcClient.Frames(new WatchDocumentStatusRequest { DocumentToken = "doc-1" }));
        // Long enough for the initial message to arrive on a loaded machine, short enough to wait for.
        var result = await _fixture.Client.SendAsync(request, timeout: "2S");

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.False(result.TrailersOnly);
        Assert.Equal(DocumentChangeKind.Initial, DocumentStatusChange.Parser.ParseFrom(Assert.Single(result.Messages)).Kind);
    }

    [Fact]
    public async Task Watch_of_unknown_document_sends_nothing_until_it_appears()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // The service sends response headers once it has subscribed, so the headers are the signal.
        using var response = await _fixture.Client.StartStreamAsync(Watch, new WatchDocumentStatusRequest { DocumentToken = "doc-new" }, timeout.Token);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);

        _fixture.Server.Service.Apply("doc-new", InMemoryDocumentStatusService.Event("evt-n", DocumentStatus.Pending, GrpcServerFixture.T0));
        var first = DocumentStatusChange.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal(DocumentChangeKind.Updated, first.Kind);
        Assert.Equal("doc-new", first.Document.DocumentToken);
    }
}
