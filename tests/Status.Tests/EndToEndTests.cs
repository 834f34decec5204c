using System.Diagnostics;
using System.Net;
using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Testing;
using Xunit.Abstractions;

namespace Streaming.Status.Tests;

/// <summary>From a produced DocumentEvent (wire format, registry, embedded broker) to gRPC answers over real HTTP/2.</summary>
public sealed class EndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly StatusSetup _setup = StatusSetup.Create();
    private StatusHost _host = null!;
    private EventProducer _producer = null!;

    public async Task InitializeAsync()
    {
        _host = await StatusHost.StartAsync(_setup);
        _producer = new EventProducer(_setup.Topic, await TestRegistry.UrlAsync());
    }

    public async Task DisposeAsync()
    {
        _producer.Dispose();
        await _host.DisposeAsync();
        _setup.Dispose();
    }

    private async Task<DocumentState> WaitForCountAsync(string token, long count) =>
        await Eventually.Until(async () =>
        {
            try
            {
                var state = await _host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = token });
                return state.EventCount >= count ? state : null;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return null;
            }
        }, Wait, $"{count} events of {token}");

    [Fact]
    public async Task Produced_events_are_served_by_GetDocumentStatus_over_HTTP2()
    {
        var events = Lifecycle.SevenEvents("e2e-doc");
        // Out of order on the wire: the completion arrives before the signing.
        await _producer.ProduceAsync([events[0], events[5], events[3], events[2]]);

        var state = await WaitForCountAsync("e2e-doc", 4);

        Assert.Equal(DocumentStatus.Completed, state.Status);
        Assert.Equal("e2e-doc-completed", state.StatusEventId);
        Assert.Equal(ProtoTime(events[5].OccurredAtMs), state.StatusChangedAt);
        // last_event is the most recently received one (the completion), not the last produced.
        Assert.Equal("e2e-doc-completed", state.LastEvent.EventId);
        Assert.Equal("insigner", state.Provider);
        Assert.Equal("DOCUMENT_COMPLETED", state.LastEvent.EventType);
        Assert.Equal(DocumentStatus.Completed, state.LastEvent.Status);
        Assert.Equal("signer:1", state.LastEvent.Subject);
        Assert.Equal(ProtoTime(events[0].ReceivedAtMs), state.FirstSeenAt);
        Assert.NotNull(state.UpdatedAt);
        Assert.False(state.Test);
    }

    [Fact]
    public async Task History_and_lists_page_with_opaque_tokens()
    {
        var events = Lifecycle.SevenEvents("e2e-hist");
        await _producer.ProduceAsync(events.Reverse());
        await WaitForCountAsync("e2e-hist", 7);

        var ids = new List<string>();
        var pageToken = "";
        var pages = 0;
        do
        {
            var page = await _host.Client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = "e2e-hist", PageSize = 3, PageToken = pageToken });
            ids.AddRange(page.Events.Select(e => e.EventId));
            pageToken = page.NextPageToken;
            pages++;
        }
        while (pageToken.Length > 0);

        Assert.Equal(events.Select(e => e.EventId), ids);
        Assert.Equal(3, pages);

        var rejected = await _host.Client.ListDocumentsAsync(new ListDocumentsRequest { Statuses = { DocumentStatus.Rejected }, Provider = "insigner" });
        Assert.Contains(rejected.Documents, d => d.DocumentToken == "e2e-hist");
        var none = await _host.Client.ListDocumentsAsync(new ListDocumentsRequest { Statuses = { DocumentStatus.Pending } });
        Assert.DoesNotContain(none.Documents, d => d.DocumentToken == "e2e-hist");
    }

    [Fact]
    public async Task Errors_carry_the_right_status_and_say_what_to_fix()
    {
        var client = _host.Client;
        var notFound = await Assert.ThrowsAsync<RpcException>(async () => await client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "never-seen" }));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("document 'never-seen' is not known", notFound.Status.Detail);

        var empty = await Assert.ThrowsAsync<RpcException>(async () => await client.GetDocumentStatusAsync(new GetDocumentStatusRequest()));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("document_token is required", empty.Status.Detail, StringComparison.Ordinal);

        var historyOfUnknown = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = "never-seen" }));
        Assert.Equal(StatusCode.NotFound, historyOfUnknown.StatusCode);

        foreach (var garbage in new[] { "garbage", "AAAA", "!!", new string('A', 40) })
        {
            var badToken = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDocumentsAsync(new ListDocumentsRequest { PageToken = garbage }));
            Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
            Assert.Contains("page_token", badToken.Status.Detail, StringComparison.Ordinal);
        }

        var negative = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = "x", PageSize = -1 }));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Contains("page_size", negative.Status.Detail, StringComparison.Ordinal);

        var unspecified = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDocumentsAsync(new ListDocumentsRequest { Statuses = { DocumentStatus.Unspecified } }));
        Assert.Equal(StatusCode.InvalidArgument, unspecified.StatusCode);
    }

    [Fact]
    public async Task A_page_token_only_continues_the_request_it_came_from()
    {
        await _producer.ProduceAsync(Lifecycle.SevenEvents("e2e-scope"));
        await WaitForCountAsync("e2e-scope", 7);
        var first = await _host.Client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = "e2e-scope", PageSize = 2 });
        Assert.NotEmpty(first.NextPageToken);

        var elsewhere = await Assert.ThrowsAsync<RpcException>(async () => await
            _host.Client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = "e2e-other", PageToken = first.NextPageToken }));
        Assert.Equal(StatusCode.InvalidArgument, elsewhere.StatusCode);
        var otherRpc = await Assert.ThrowsAsync<RpcException>(async () => await _host.Client.ListDocumentsAsync(new ListDocumentsRequest { PageToken = first.NextPageToken }));
        Assert.Equal(StatusCode.InvalidArgument, otherRpc.StatusCode);
    }

    [Fact]
    public async Task Watch_sends_the_current_state_first_then_every_change_promptly()
    {
        var events = Lifecycle.SevenEvents("e2e-watch");
        var applied = _host.Loop.Applied;
        await _producer.ProduceAsync(events[0]);
        await WaitForCountAsync("e2e-watch", 1);
        // The store shows a commit before the watchers hear of it (the loop hands the changes on after the commit):
        // a watch-all stream opened in between would receive this first change.
        await Eventually.True(() => _host.Loop.Applied > applied, Wait, "the first change handed to the watchers");

        using var cancel = new CancellationTokenSource(Wait);
        await using var watch = _host.Client.WatchDocumentStatusAsync(new WatchDocumentStatusRequest { DocumentToken = "e2e-watch" }, cancellationToken: cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        await using var all = _host.Client.WatchDocumentStatusAsync(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token).GetAsyncEnumerator(cancel.Token);

        // The call starts at the first MoveNextAsync; the watch-all stream has nothing to say yet.
        var allNext = all.MoveNextAsync().AsTask();
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(DocumentChangeKind.Initial, watch.Current.Kind);
        Assert.Equal(DocumentStatus.Pending, watch.Current.Document.Status);
        Assert.Null(watch.Current.Event);
        await Eventually.True(() => _host.Feed.WatcherCount == 2, Wait, "both watchers to subscribe");

        var latencies = new List<double>();
        foreach (var e in events.Skip(1))
        {
            var sent = Stopwatch.GetTimestamp();
            await _producer.ProduceAsync(e);
            Assert.True(await watch.MoveNextAsync());
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            Assert.Equal(DocumentChangeKind.Updated, watch.Current.Kind);
            Assert.Equal(e.EventId, watch.Current.Event?.EventId);

            Assert.True(await allNext);
            Assert.Equal(e.EventId, all.Current.Event?.EventId);
            allNext = all.MoveNextAsync().AsTask();
        }

        Assert.Equal(DocumentStatus.Rejected, watch.Current.Document.Status);
        Assert.Equal(7, watch.Current.Document.EventCount);
        output.WriteLine($"produce-ack to watcher: {string.Join(", ", latencies.Select(l => l.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        // The benchmark measures the p99 (target 100 ms); here only a bound a loaded test machine always meets.
        Assert.True(latencies.Max() < 2000, $"a change took {latencies.Max():0} ms to reach the watcher");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => allNext);
    }

    [Fact]
    public async Task A_record_that_cannot_be_decoded_is_dead_lettered_and_the_partition_moves_on()
    {
        await _producer.ProduceRawAsync("e2e-poison", [0, 0, 0, 0, 1, 0xFF]);
        await _producer.ProduceRawAsync("e2e-poison", "{\"not\":\"avro\"}"u8.ToArray());
        await _producer.ProduceAsync(Lifecycle.Event("e2e-poison", "after-poison", LifecycleStatus.Pending, 0));

        var state = await WaitForCountAsync("e2e-poison", 1);

        Assert.Equal(DocumentStatus.Pending, state.Status);
        var letters = await _host.Store.ListDeadLettersAsync(10, CancellationToken.None);
        Assert.Equal(2, letters.Count(l => l.Key == "e2e-poison"));
        Assert.Contains(letters, l => l.Reason.Contains("wire-format", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_is_served_on_HTTP1_and_gRPC()
    {
        using var http = new HttpClient();
        var ready = await Eventually.Until(async () =>
        {
            var response = await http.GetAsync(new Uri(_host.HttpAddress, "/health/ready"));
            return response.StatusCode == HttpStatusCode.OK ? response : null;
        }, Wait, "readiness");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var health = new Health.HealthClient(_host.Channel);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "streaming.status.v1.DocumentStatusService" })).Status);
    }

    private static Google.Protobuf.WellKnownTypes.Timestamp ProtoTime(long ms) =>
        Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms));
}
