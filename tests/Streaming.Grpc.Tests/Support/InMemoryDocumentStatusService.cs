using System.Globalization;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc;

namespace Streaming.Grpc.Tests.Support;

/// <summary>
/// A test DocumentStatusService over a dictionary: enough behaviour (validation, paging, watch)
/// to exercise the binding. The real projection lives in the status service.
/// </summary>
public sealed class InMemoryDocumentStatusService
{
    /// <summary>GetDocumentStatus for this token waits until the call is cancelled.</summary>
    public const string SlowToken = "slow";

    /// <summary>GetDocumentStatus for this token throws a plain exception.</summary>
    public const string BrokenToken = "broken";

    /// <summary>GetDocumentStatus for this token answers with a message of this many bytes of subject.</summary>
    public const string HugeToken = "huge";

    private const int DefaultPageSize = 50;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DocumentState> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DocumentEventSummary>> _events = new(StringComparer.Ordinal);
    private readonly List<(string Token, Channel<DocumentStatusChange> Channel)> _watchers = [];
    private readonly TaskCompletionSource _slowCallCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int HugeResponseBytes { get; set; } = 1024;

    /// <summary>Completes when a slow call saw its cancellation token fire.</summary>
    public Task SlowCallCancelled => _slowCallCancelled.Task;

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService(DocumentStatusReflection.Descriptor.Services[0], binder => binder
            .Unary<GetDocumentStatusRequest, DocumentState>("GetDocumentStatus", GetDocumentStatusAsync)
            .Unary<ListDocumentEventsRequest, ListDocumentEventsResponse>("ListDocumentEvents", ListDocumentEventsAsync)
            .Unary<ListDocumentsRequest, ListDocumentsResponse>("ListDocuments", ListDocumentsAsync)
            .ServerStreaming<WatchDocumentStatusRequest, DocumentStatusChange>("WatchDocumentStatus", WatchDocumentStatusAsync));

    /// <summary>Records an event; its status (if any) becomes the document's status.</summary>
    public DocumentState Apply(string documentToken, DocumentEventSummary summary)
    {
        lock (_lock)
        {
            if (!_documents.TryGetValue(documentToken, out var state))
            {
                state = new DocumentState { DocumentToken = documentToken, FirstSeenAt = summary.ReceivedAt, Test = true };
                _documents[documentToken] = state;
                _events[documentToken] = [];
            }

            _events[documentToken].Add(summary);
            state.EventCount++;
            state.Provider = summary.Provider;
            state.LastEvent = summary;
            state.UpdatedAt = summary.ReceivedAt;
            state.Test &= summary.Test;
            if (summary.Status != DocumentStatus.Unspecified)
            {
                state.Status = summary.Status;
                state.StatusChangedAt = summary.OccurredAt;
                state.StatusEventId = summary.EventId;
            }

            var change = new DocumentStatusChange { Document = state.Clone(), Kind = DocumentChangeKind.Updated, Event = summary };
            foreach (var (token, channel) in _watchers)
            {
                if (token.Length == 0 || token == documentToken)
                {
                    channel.Writer.TryWrite(change);
                }
            }

            return state.Clone();
        }
    }

    public static DocumentEventSummary Event(string eventId, DocumentStatus status, DateTimeOffset occurredAt, string provider = "inkless") => new()
    {
        EventId = eventId,
        Provider = provider,
        ProviderEventType = "document." + status.ToString().ToLowerInvariant(),
        EventType = "document." + status.ToString().ToLowerInvariant(),
        Status = status,
        OccurredAt = Timestamp.FromDateTimeOffset(occurredAt),
        ReceivedAt = Timestamp.FromDateTimeOffset(occurredAt.AddSeconds(1)),
        Test = true,
        Subject = "signer-1",
    };

    private async Task<DocumentState> GetDocumentStatusAsync(GetDocumentStatusRequest request, GrpcCallContext context)
    {
        RequireToken(request.DocumentToken);
        switch (request.DocumentToken)
        {
            case SlowToken:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _slowCallCancelled.TrySetResult();
                    throw;
                }

                break;
            case BrokenToken:
                throw new InvalidOperationException("secret connection string Password=hunter2 leaked into an exception");
            case HugeToken:
                return new DocumentState { DocumentToken = HugeToken, LastEvent = new DocumentEventSummary { Subject = new string('x', HugeResponseBytes) } };
        }

        lock (_lock)
        {
            return _documents.TryGetValue(request.DocumentToken, out var state)
                ? state.Clone()
                : throw new GrpcException(StatusCode.NotFound, $"document '{request.DocumentToken}' is not known");
        }
    }

    private Task<ListDocumentEventsResponse> ListDocumentEventsAsync(ListDocumentEventsRequest request, GrpcCallContext context)
    {
        RequireToken(request.DocumentToken);
        var (offset, pageSize) = Page(request.PageToken, request.PageSize);
        lock (_lock)
        {
            if (!_events.TryGetValue(request.DocumentToken, out var events))
            {
                throw new GrpcException(StatusCode.NotFound, $"document '{request.DocumentToken}' is not known");
            }

            var ordered = events.OrderBy(e => e.OccurredAt).ThenBy(e => e.ReceivedAt).ToList();
            var response = new ListDocumentEventsResponse();
            response.Events.AddRange(ordered.Skip(offset).Take(pageSize).Select(e => e.Clone()));
            if (offset + pageSize < ordered.Count)
            {
                response.NextPageToken = (offset + pageSize).ToString(CultureInfo.InvariantCulture);
            }

            return Task.FromResult(response);
        }
    }

    private Task<ListDocumentsResponse> ListDocumentsAsync(ListDocumentsRequest request, GrpcCallContext context)
    {
        var (offset, pageSize) = Page(request.PageToken, request.PageSize);
        lock (_lock)
        {
            var matching = _documents.Values
                .Where(d => request.Statuses.Count == 0 || request.Statuses.Contains(d.Status))
                .Where(d => request.Provider.Length == 0 || d.Provider == request.Provider)
                .Where(d => request.UpdatedSince is null || d.UpdatedAt.CompareTo(request.UpdatedSince) >= 0)
                .OrderByDescending(d => d.UpdatedAt)
                .ThenBy(d => d.DocumentToken, StringComparer.Ordinal)
                .ToList();
            var response = new ListDocumentsResponse();
            response.Documents.AddRange(matching.Skip(offset).Take(pageSize).Select(d => d.Clone()));
            if (offset + pageSize < matching.Count)
            {
                response.NextPageToken = (offset + pageSize).ToString(CultureInfo.InvariantCulture);
            }

            return Task.FromResult(response);
        }
    }

    private async Task WatchDocumentStatusAsync(WatchDocumentStatusRequest request, IServerStreamWriter<DocumentStatusChange> writer, GrpcCallContext context)
    {
        var channel = Channel.CreateUnbounded<DocumentStatusChange>(new UnboundedChannelOptions { SingleReader = true });
        var watcher = (request.DocumentToken, channel);
        DocumentState? initial = null;
        lock (_lock)
        {
            // Subscribe and snapshot under one lock: no change can fall between the two.
            _watchers.Add(watcher);
            if (request.DocumentToken.Length > 0 && _documents.TryGetValue(request.DocumentToken, out var state))
            {
                initial = state.Clone();
            }
        }

        try
        {
            await context.WriteResponseHeadersAsync();
            if (initial is not null)
            {
                await writer.WriteAsync(new DocumentStatusChange { Document = initial, Kind = DocumentChangeKind.Initial });
            }

            await foreach (var change in channel.Reader.ReadAllAsync(context.CancellationToken))
            {
                await writer.WriteAsync(change);
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private static void RequireToken(string documentToken)
    {
        if (string.IsNullOrEmpty(documentToken))
        {
            throw new GrpcException(StatusCode.InvalidArgument, "document_token is required");
        }
    }

    private static (int Offset, int PageSize) Page(string pageToken, int pageSize)
    {
        if (pageSize < 0)
        {
            throw new GrpcException(StatusCode.InvalidArgument, $"page_size must not be negative (got {pageSize})");
        }

        var offset = 0;
        if (pageToken.Length > 0 && (!int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            throw new GrpcException(StatusCode.InvalidArgument, "page_token is not one this server issued; pass next_page_token unchanged");
        }

        return (offset, pageSize == 0 ? DefaultPageSize : pageSize);
    }
}
