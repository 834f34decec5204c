using System.Data.Common;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Projection;
using Streaming.Status.Store;
using Streaming.Status.Watching;

namespace Streaming.Status.Api;

/// <summary>
/// streaming.status.v1.DocumentStatusService over the store and the change feed: the Grpc.Tools-generated base class,
/// served over gRPC and, through JSON transcoding, as GET /v1/documents/...
/// </summary>
public sealed class DocumentStatusGrpcService(IStatusStore store, ChangeFeed feed, IOptions<StatusOptions> options, IOptions<StatusApiOptions> api)
    : DocumentStatusService.DocumentStatusServiceBase
{
    private const int MaxTokenLength = 1024;

    // Changes of a watch written before one flush (bounds what a slow client's stream holds in Kestrel's buffer).
    private const int MaxChangesPerFlush = 256;

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);
    private readonly StatusOptions _options = options.Value;
    private readonly int _maxWatches = api.Value.MaxConcurrentWatches;
    private int _watches;

    /// <summary>WatchDocumentStatus streams open now.</summary>
    public int OpenWatches => Volatile.Read(ref _watches);

    public override async Task<DocumentState> GetDocumentStatus(GetDocumentStatusRequest request, ServerCallContext context)
    {
        RequireToken(request.DocumentToken);
        var document = await Store(() => store.GetDocumentAsync(request.DocumentToken, context.CancellationToken));
        return document is null ? throw NotFound(request.DocumentToken) : ProtoMapping.ToState(document);
    }

    public override async Task<ListDocumentEventsResponse> ListDocumentEvents(ListDocumentEventsRequest request, ServerCallContext context)
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

    public override async Task<ListDocumentsResponse> ListDocuments(ListDocumentsRequest request, ServerCallContext context)
    {
        var pageSize = PageSize(request.PageSize);
        var statuses = new SortedSet<LifecycleStatus>();
        foreach (var status in request.Statuses)
        {
            if (status == DocumentStatus.Unspecified || !Enum.IsDefined(status))
            {
                throw Error(StatusCode.InvalidArgument,
                    $"statuses contains {(int)status}, which is not a document status; use DOCUMENT_STATUS_PENDING .. DOCUMENT_STATUS_REJECTED, or leave statuses empty for any");
            }

            statuses.Add((LifecycleStatus)(int)status);
        }

        long? since = null;
        if (request.UpdatedSince is { } t)
        {
            if (t.Nanos is < 0 or > 999_999_999)
            {
                throw Error(StatusCode.InvalidArgument, "updated_since is not a valid timestamp (nanos must be 0..999999999)");
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

    public override async Task WatchDocumentStatus(WatchDocumentStatusRequest request, IServerStreamWriter<DocumentStatusChange> responseStream, ServerCallContext context)
    {
        if (request.DocumentToken.Length > MaxTokenLength)
        {
            throw Error(StatusCode.InvalidArgument, $"document_token is longer than {MaxTokenLength} characters");
        }

        // Bounded: each watch holds a buffer; past the limit a caller is told to retry later, not queued.
        if (Interlocked.Increment(ref _watches) > _maxWatches)
        {
            Interlocked.Decrement(ref _watches);
            throw Error(StatusCode.ResourceExhausted, $"this server already serves its maximum of {_maxWatches} watches (Grpc:MaxConcurrentWatches); retry with backoff or watch all documents in one stream");
        }

        try
        {
            await WatchAsync(request, responseStream, context);
        }
        finally
        {
            Interlocked.Decrement(ref _watches);
        }
    }

    private async Task WatchAsync(WatchDocumentStatusRequest request, IServerStreamWriter<DocumentStatusChange> writer, ServerCallContext context)
    {
        // Subscribe before reading the current state: a change committed in between is then seen, not lost.
        using var subscription = feed.Subscribe(request.DocumentToken, _options.WatcherBufferSize);
        long initialCount = 0;
        DocumentSnapshot? initial = null;
        if (request.DocumentToken.Length > 0)
        {
            initial = await Store(() => store.GetDocumentAsync(request.DocumentToken, context.CancellationToken));
        }

        await context.WriteResponseHeadersAsync([]);
        if (initial is not null)
        {
            initialCount = initial.EventCount;
            await writer.WriteAsync(new DocumentStatusChange { Document = ProtoMapping.ToState(initial), Kind = DocumentChangeKind.Initial });
        }

        try
        {
            var reader = subscription.Reader;
            var pending = new List<DocumentChange>();
            while (await reader.WaitToReadAsync(context.CancellationToken))
            {
                pending.Clear();
                while (pending.Count < MaxChangesPerFlush && reader.TryRead(out var change))
                {
                    // Already part of the initial state (committed between subscribing and reading it).
                    if (change.Document.EventCount > initialCount)
                    {
                        pending.Add(change);
                    }
                }

                // The changes already waiting go out in one send: every message but the last is only buffered
                // (a committed batch's changes arrive together; one flush each cost a system call per change).
                for (var i = 0; i < pending.Count; i++)
                {
                    writer.WriteOptions = i < pending.Count - 1 ? BufferedWrite : null;
                    await writer.WriteAsync(ProtoMapping.ToUpdate(pending[i]));
                }
            }
        }
        catch (Exception e) when ((e as WatcherOverflowException ?? e.InnerException as WatcherOverflowException) is { } overflow)
        {
            throw Error(StatusCode.ResourceExhausted, overflow.Message);
        }
        catch (Exception e) when ((e as WatchInterruptedException ?? e.InnerException as WatchInterruptedException) is { } interrupted)
        {
            throw Error(StatusCode.Unavailable, interrupted.Message);
        }
    }

    private static void RequireToken(string documentToken)
    {
        if (string.IsNullOrEmpty(documentToken))
        {
            throw Error(StatusCode.InvalidArgument, "document_token is required: pass the document's token (the key of its events)");
        }

        if (documentToken.Length > MaxTokenLength)
        {
            throw Error(StatusCode.InvalidArgument, $"document_token is longer than {MaxTokenLength} characters");
        }
    }

    private int PageSize(int requested)
    {
        if (requested < 0)
        {
            throw Error(StatusCode.InvalidArgument, $"page_size must not be negative (got {requested}); use 0 for the default of {_options.DefaultPageSize}");
        }

        // Larger than the maximum is served at the maximum (google.aip.dev/158).
        return requested == 0 ? _options.DefaultPageSize : Math.Min(requested, _options.MaxPageSize);
    }

    private static RpcException NotFound(string documentToken) =>
        Error(StatusCode.NotFound, $"document '{documentToken}' is not known");

    internal static RpcException Error(StatusCode code, string message, Exception? cause = null) => new(new Grpc.Core.Status(code, message, cause));

    private static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DbException e)
        {
            throw Error(StatusCode.Unavailable, "the status store is not reachable right now; retry with backoff", e);
        }
    }
}
