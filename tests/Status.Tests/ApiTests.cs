using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>The API as operators and clients meet it: health that tells the truth, the JSON face, auth and limits.</summary>
public sealed class ApiTests
{
    private const string Token = "api-token-0123456789abcdef";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Grpc_health_is_not_serving_while_the_store_is_unreachable_and_serving_again_when_it_is_back()
    {
        await using var database = await TestPostgres.CreateAsync();
        var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(direct.Host!, direct.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 }.ToString();
        using var setup = StatusSetup.Create(connectionString: throughProxy);
        await using var host = await StatusHost.StartAsync(setup);
        var health = new Health.HealthClient(host.Channel);

        await Eventually.True(async () => await StatusOf(health, "") == HealthCheckResponse.Types.ServingStatus.Serving, Wait, "SERVING with the store up");

        proxy.Cut();
        await Eventually.True(async () => await StatusOf(health, "") == HealthCheckResponse.Types.ServingStatus.NotServing, Wait, "NOT_SERVING with the store gone");
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await StatusOf(health, DocumentStatusService.Descriptor.FullName));

        proxy.Resume();
        await Eventually.True(async () => await StatusOf(health, "") == HealthCheckResponse.Types.ServingStatus.Serving, Wait, "SERVING again with the store back");
    }

    [Fact]
    public async Task The_json_face_answers_the_same_calls_with_the_same_auth_and_errors_as_http_statuses()
    {
        using var setup = StatusSetup.Create();
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Grpc:BearerTokens:0"] = Token });
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var e = Lifecycle.Event("json-doc", "evt-json-1", Projection.LifecycleStatus.Pending, 0);
        await producer.ProduceAsync(e);
        using var http = new HttpClient { BaseAddress = host.HttpAddress };

        using (var anonymous = await http.GetAsync(new Uri("/v1/documents/json-doc", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Bearer", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var state = await Eventually.Until(async () =>
        {
            using var response = await http.GetAsync(new Uri("/v1/documents/json-doc", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()) : null;
        }, Wait, "the document over JSON");
        Assert.Equal("json-doc", state.RootElement.GetProperty("documentToken").GetString());
        Assert.Equal("DOCUMENT_STATUS_PENDING", state.RootElement.GetProperty("status").GetString());

        using var events = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/documents/json-doc/events", UriKind.Relative)));
        Assert.Equal(e.EventId, Assert.Single(events.RootElement.GetProperty("events").EnumerateArray()).GetProperty("eventId").GetString());

        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/documents?statuses=DOCUMENT_STATUS_PENDING&page_size=10", UriKind.Relative)));
        Assert.Contains(list.RootElement.GetProperty("documents").EnumerateArray(), d => d.GetProperty("documentToken").GetString() == "json-doc");

        using var missing = await http.GetAsync(new Uri("/v1/documents/never-seen", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync());
        Assert.Equal("document 'never-seen' is not known", error.RootElement.GetProperty("message").GetString());

        using var negative = await http.GetAsync(new Uri("/v1/documents/json-doc/events?page_size=-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
    }

    [Fact]
    public async Task Watches_beyond_the_limit_are_refused_with_resource_exhausted_and_a_freed_slot_is_reused()
    {
        using var setup = StatusSetup.Create();
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Grpc:MaxConcurrentWatches"] = "2" });
        using var cancel = new CancellationTokenSource(Wait);
        using var first = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token);
        using var second = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token);
        await first.ResponseHeadersAsync;
        await second.ResponseHeadersAsync;

        using (var third = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await third.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("Grpc:MaxConcurrentWatches", refused.Status.Detail, StringComparison.Ordinal);
        }

        first.Dispose();
        await Eventually.True(() => host.App.Services.GetRequiredService<Streaming.Status.Api.DocumentStatusGrpcService>().OpenWatches == 1, Wait, "the cancelled watch to be released");
        using var fourth = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token);
        await fourth.ResponseHeadersAsync;
    }

    [Fact]
    public async Task A_request_over_the_message_limit_is_refused_with_resource_exhausted()
    {
        using var setup = StatusSetup.Create();
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageSize"] = "64" });

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = new string('x', 200) }));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }

    [Fact]
    public async Task A_passed_deadline_ends_the_call_with_deadline_exceeded()
    {
        using var setup = StatusSetup.Create();
        await using var host = await StatusHost.StartAsync(setup);
        using var watch = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), deadline: DateTime.UtcNow.AddMilliseconds(300));

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await watch.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.DeadlineExceeded, ended.StatusCode);
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> StatusOf(Health.HealthClient health, string service)
    {
        try
        {
            return (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5))).Status;
        }
        catch (RpcException e)
        {
            return e.StatusCode == StatusCode.NotFound ? HealthCheckResponse.Types.ServingStatus.ServiceUnknown : HealthCheckResponse.Types.ServingStatus.Unknown;
        }
    }
}
