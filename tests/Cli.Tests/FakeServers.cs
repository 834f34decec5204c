using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Streaming.Cli.Tests;

/// <summary>A real HTTP/2 gRPC server (Grpc.AspNetCore) serving a fixed DocumentStatusService, and health.</summary>
public sealed class FakeStatusServer : IAsyncDisposable
{
    public const string KnownToken = "doc_known";
    public const string SlowToken = "doc_slow";

    private readonly WebApplication _app;

    private FakeStatusServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static DocumentState Known { get; } = new()
    {
        DocumentToken = KnownToken,
        Status = DocumentStatus.Completed,
        Provider = "inkless",
        EventCount = 3,
        FirstSeenAt = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture)),
        UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-01-02T03:04:06Z", System.Globalization.CultureInfo.InvariantCulture)),
        StatusEventId = "evt_3",
        LastEvent = new DocumentEventSummary { EventId = "evt_3", Provider = "inkless", ProviderEventType = "document_complete", EventType = "DOCUMENT_COMPLETED", Status = DocumentStatus.Completed },
    };

    public static async Task<FakeStatusServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        var app = builder.Build();
        app.MapGrpcService<FixedStatusService>();
        app.MapGrpcHealthChecksService();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeStatusServer(app, new Uri(address));
    }

    /// <summary>A fixed DocumentStatusService: one known document, one slow one, endless watch updates.</summary>
    private sealed class FixedStatusService : DocumentStatusService.DocumentStatusServiceBase
    {
        public override async Task<DocumentState> GetDocumentStatus(GetDocumentStatusRequest request, ServerCallContext context)
        {
            if (request.DocumentToken == SlowToken)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.CancellationToken);
            }

            return request.DocumentToken == KnownToken
                ? Known
                : throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"document '{request.DocumentToken}' is not known"));
        }

        public override Task<ListDocumentEventsResponse> ListDocumentEvents(ListDocumentEventsRequest request, ServerCallContext context)
        {
            var response = new ListDocumentEventsResponse();
            if (request.DocumentToken == KnownToken)
            {
                response.Events.Add(Known.LastEvent);
            }

            return Task.FromResult(response);
        }

        public override Task<ListDocumentsResponse> ListDocuments(ListDocumentsRequest request, ServerCallContext context) =>
            Task.FromResult(new ListDocumentsResponse { Documents = { Known } });

        public override async Task WatchDocumentStatus(WatchDocumentStatusRequest request, IServerStreamWriter<DocumentStatusChange> responseStream, ServerCallContext context)
        {
            await responseStream.WriteAsync(new DocumentStatusChange { Document = Known, Kind = DocumentChangeKind.Initial });
            while (true)
            {
                await Task.Delay(20, context.CancellationToken);
                await responseStream.WriteAsync(new DocumentStatusChange { Document = Known, Kind = DocumentChangeKind.Updated, Event = Known.LastEvent });
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An HTTP endpoint standing in for the ingress, answering every webhook with one status code.</summary>
public sealed class FakeIngress : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeIngress(WebApplication app) => _app = app;

    public Uri Address => new(_app.Urls.Single());

    public List<(string Provider, Dictionary<string, string> Headers)> Received { get; } = [];

    public static async Task<FakeIngress> StartAsync(int status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var ingress = new FakeIngress(app);
        app.MapPost("/webhooks/{provider}", (string provider, HttpContext context) =>
        {
            lock (ingress.Received)
            {
                ingress.Received.Add((provider, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            }

            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return ingress;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
