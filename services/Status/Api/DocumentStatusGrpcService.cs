using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc;
using Streaming.Status.Projection;
using Streaming.Status.Store;
using Streaming.Status.Watching;

namespace Streaming.Status.Api;

/// <summary>The gRPC handlers of streaming.status.v1.DocumentStatusService over the store and the change feed.</summary>
public sealed class DocumentStatusGrpcService(IStatusStore store, ChangeFeed feed, IOptions<StatusOptions> options)
{
    private const int MaxTokenLength = 1024;
    private readonly StatusOptions _options = options.Value;

    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => DocumentStatusReflection.Descriptor.Services[0];

    /// <summary>Maps the four methods at /streaming.status.v1.DocumentStatusService/*.</summary>
    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService(Descriptor, binder => binder
            .Unary<GetDocumentStatusRequest, DocumentState>("GetDocumentStatus", GetDocumentStatusAsync)
            .Unary<ListDocumentEventsRequest, ListDocumentEventsResponse>("ListDocumentEvents", ListDocumentEventsAsync)
            .Unary<ListDocumentsRequest, ListDocumentsResponse>("ListDocuments", ListDocumentsAsync)
            .ServerStreaming<WatchDocumentStatusRequest, DocumentStatusChange>("WatchDocumentStatus", WatchDocumentStatusAsync));

    public async Task<DocumentState> GetDocumentStatusAsync(GetDocumentStatusRequest request, GrpcCallContext context)
    {
        RequireToken(request.DocumentToken);
        var document = await Store(() => store.GetDocumentAsync(request.DocumentToken, context.CancellationToken));
        return document is null ? throw NotFound(request.DocumentToken) : ProtoMapping.ToState(document);
    }

    public async Task<ListDocumentEventsResponse> ListDocumentEventsAsync(ListDocumentEventsRequest request, GrpcCallContext context)
    {
        RequireToken(request.DocumentToken);
        var pageSize = PageSize(request.PageSize);
        var after = PageTokens.ParseEvents(request.PageToken, request.DocumentToken);
        var events = await Store(() => store.ListEventsAsync(request.DocumentToken, after, pageSize + 1, context.CancellationToken));
        if (events.Count == 0 && after is null && await Store(() => store.GetDocumentAsync(request.DocumentToken, context.CancellationToken)) is null)
        {
            throw NotFound(request.DocumentToken);
        }

        var response = new ListDocumentEventsResponse();
        response.Events.AddRange(events.Take(pageSize).Select(ProtoMapping.ToSummary));
        if (events.Count > pageSize)
        {
            response.NextPageToken = PageTokens.ForEvents(request.DocumentToken, FoldKey.Of(events[pageSize - 1]));
        }

        return response;
    }

    public async Task<ListDocumentsResponse> ListDocumentsAsync(ListDocumentsRequest request, GrpcCallContext context)
    {
        var pageSize = PageSize(request.PageSize);
        var statuses = new SortedSet<LifecycleStatus>();
        foreach (var status in request.Statuses)
        {
            if (status == DocumentStatus.Unspecified || !Enum.IsDefined(status))
            {
                throw new GrpcException(StatusCode.InvalidArgument,
                    $"statuses contains {(int)status}, which is not a document status; use DOCUMENT_STATUS_PENDING .. DOCUMENT_STATUS_REJECTED, or leave statuses empty for any");
            }

            statuses.Add((LifecycleStatus)(int)status);
        }

        long? since = null;
        if (request.UpdatedSince is { } t)
        {
            if (t.Nanos is < 0 or > 999_999_999)
            {
                throw new GrpcException(StatusCode.InvalidArgument, "updated_since is not a valid timestamp (nanos must be 0..999999999)");
            }

            since = ProtoMapping.Millis(t);
        }

        var provider = request.Provider.Trim();
        var filters = string.Create(CultureInfo.InvariantCulture, $"s={string.Join(',', statuses.Select(s => (int)s))}|p={provider}|u={since}");
        var after = PageTokens.ParseDocuments(request.PageToken, filters);
        var query = new DocumentQuery(statuses, provider.Length == 0 ? null : provider, since);
        var documents = await Store(() => store.ListDocumentsAsync(query, after, pageSize + 1, context.CancellationToken));
        var response = new ListDocumentsResponse();
        response.Documents.AddRange(documents.Take(pageSize).Select(ProtoMapping.ToState));
        if (documents.Count > pageSize)
        {
            var last = documents[pageSize - 1];
            response.NextPageToken = PageTokens.ForDocuments(filters, new DocumentCursor(last.UpdatedAtMs, last.DocumentToken));
        }

        return response;
    }

    public async Task WatchDocumentStatusAsync(WatchDocumentStatusRequest request, IServerStreamWriter<DocumentStatusChange> writer, GrpcCallContext context)
    {
        if (request.DocumentToken.Length > MaxTokenLength)
        {
            throw new GrpcException(StatusCode.InvalidArgument, $"document_token is longer than {MaxTokenLength} characters");
        }

        // Subscribe before reading the current state: a change committed in between is then seen, not lost.
        using var subscription = feed.Subscribe(request.DocumentToken, _options.WatcherBufferSize);
        long initialCount = 0;
        DocumentSnapshot? initial = null;
        if (request.DocumentToken.Length > 0)
        {
            initial = await Store(() => store.GetDocumentAsync(request.DocumentToken, context.CancellationToken));
        }

        await context.WriteResponseHeadersAsync();
        if (initial is not null)
        {
            initialCount = initial.EventCount;
            await writer.WriteAsync(new DocumentStatusChange { Document = ProtoMapping.ToState(initial), Kind = DocumentChangeKind.Initial });
        }

        try
        {
            await foreach (var change in subscription.Reader.ReadAllAsync(context.CancellationToken))
            {
                // Already part of the initial state (committed between subscribing and reading it).
                if (change.Document.EventCount <= initialCount)
                {
                    continue;
                }

                await writer.WriteAsync(ProtoMapping.ToUpdate(change));
            }
        }
        catch (Exception e) when ((e as WatcherOverflowException ?? e.InnerException as WatcherOverflowException) is { } overflow)
        {
            throw new GrpcException(StatusCode.ResourceExhausted, overflow.Message);
        }
    }

    private static void RequireToken(string documentToken)
    {
        if (string.IsNullOrEmpty(documentToken))
        {
            throw new GrpcException(StatusCode.InvalidArgument, "document_token is required: pass the document's token (the key of its events)");
        }

        if (documentToken.Length > MaxTokenLength)
        {
            throw new GrpcException(StatusCode.InvalidArgument, $"document_token is longer than {MaxTokenLength} characters");
        }
    }

    private int PageSize(int requested)
    {
        if (requested < 0)
        {
            throw new GrpcException(StatusCode.InvalidArgument, $"page_size must not be negative (got {requested}); use 0 for the default of {_options.DefaultPageSize}");
        }

        // Larger than the maximum is served at the maximum (google.aip.dev/158).
        return requested == 0 ? _options.DefaultPageSize : Math.Min(requested, _options.MaxPageSize);
    }

    private static GrpcException NotFound(string documentToken) =>
        new(StatusCode.NotFound, $"document '{documentToken}' is not known");

    private static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DbException e)
        {
            throw new GrpcException(StatusCode.Unavailable, "the status store is not reachable right now; retry with backoff", e);
        }
    }
}
