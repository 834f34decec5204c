using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Streaming.Cli.Status;

/// <summary>`status`, `history`, `list`, `watch`: the DocumentStatusService gRPC API, readable or as JSON.</summary>
public static class StatusCommands
{
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print protobuf JSON (one object per line for watch)" };

    private static readonly Option<TimeSpan> DeadlineOption = new("--deadline")
    {
        Description = "How long one call may take",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
    };

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static IEnumerable<Command> Create() => [Status(), History(), List(), Watch()];

    private static Command Status()
    {
        var token = new Argument<string>("document-token") { Description = "The document (or correlation) token" };
        var command = new Command("status", "The current status of one document") { token, JsonOption, DeadlineOption };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            using var channel = Channel(r);
            var state = await new DocumentStatusService.DocumentStatusServiceClient(channel).GetDocumentStatusAsync(
                new GetDocumentStatusRequest { DocumentToken = r.GetValue(token) }, Options(r, cancellationToken));
            await output.WriteLineAsync(r.GetValue(JsonOption) ? Json.Format(state) : Describe(state));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command History()
    {
        var token = new Argument<string>("document-token") { Description = "The document (or correlation) token" };
        var limit = new Option<int>("--limit") { Description = "Most events to show", DefaultValueFactory = _ => 1000 };
        var command = new Command("history", "A document's events, oldest first") { token, limit, JsonOption, DeadlineOption };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            using var channel = Channel(r);
            var client = new DocumentStatusService.DocumentStatusServiceClient(channel);
            var events = new List<DocumentEventSummary>();
            var pageToken = "";
            do
            {
                var page = await client.ListDocumentEventsAsync(
                    new ListDocumentEventsRequest { DocumentToken = r.GetValue(token), PageToken = pageToken, PageSize = Math.Min(r.GetValue(limit) - events.Count, 500) },
                    Options(r, cancellationToken));
                events.AddRange(page.Events);
                pageToken = page.NextPageToken;
            }
            while (pageToken.Length > 0 && events.Count < r.GetValue(limit));

            if (r.GetValue(JsonOption))
            {
                var response = new ListDocumentEventsResponse { NextPageToken = pageToken };
                response.Events.AddRange(events);
                await output.WriteLineAsync(Json.Format(response));
                return ExitCodes.Ok;
            }

            if (events.Count == 0)
            {
                throw new CliException(ExitCodes.NotFound, $"no events for document '{r.GetValue(token)}'");
            }

            await output.WriteLineAsync($"{"occurred at",-24} {"provider",-9} {"provider event",-32} {"event type",-26} {"status",-12} {"event id",-36} provider event id");
            foreach (var e in events)
            {
                await output.WriteLineAsync($"{Time(e.OccurredAt),-24} {e.Provider,-9} {e.ProviderEventType,-32} {e.EventType,-26} {Name(e.Status),-12} {e.EventId,-36} {e.ProviderEventId}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command List()
    {
        var statuses = new Option<string[]>("--status") { Description = "Only these statuses (pending, in_progress, needs_review, completed, rejected)", AllowMultipleArgumentsPerToken = true };
        var provider = new Option<string?>("--provider") { Description = "Only documents whose last event came from this provider" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only documents updated at or after this instant (ISO 8601)" };
        var limit = new Option<int>("--limit") { Description = "Most documents to show", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Documents, most recently updated first") { statuses, provider, since, limit, JsonOption, DeadlineOption };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var request = new ListDocumentsRequest { Provider = r.GetValue(provider) ?? "" };
            foreach (var s in r.GetValue(statuses) ?? [])
            {
                request.Statuses.Add(ParseStatus(s));
            }

            if (r.GetValue(since) is { } from)
            {
                request.UpdatedSince = Timestamp.FromDateTimeOffset(from);
            }

            using var channel = Channel(r);
            var client = new DocumentStatusService.DocumentStatusServiceClient(channel);
            var documents = new List<DocumentState>();
            var max = r.GetValue(limit);
            do
            {
                request.PageSize = Math.Min(max - documents.Count, 500);
                var page = await client.ListDocumentsAsync(request, Options(r, cancellationToken));
                documents.AddRange(page.Documents);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0 && documents.Count < max);

            if (r.GetValue(JsonOption))
            {
                var response = new ListDocumentsResponse { NextPageToken = request.PageToken };
                response.Documents.AddRange(documents);
                await output.WriteLineAsync(Json.Format(response));
                return ExitCodes.Ok;
            }

            await output.WriteLineAsync($"{"document",-34} {"status",-12} {"provider",-9} {"events",6}  updated at");
            foreach (var d in documents)
            {
                await output.WriteLineAsync($"{d.DocumentToken,-34} {Name(d.Status),-12} {d.Provider,-9} {d.EventCount,6}  {Time(d.UpdatedAt)}");
            }

            await output.WriteLineAsync($"{documents.Count} document(s){(request.PageToken.Length > 0 ? $" (more: raise --limit)" : "")}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Watch()
    {
        var token = new Argument<string?>("document-token") { Description = "The document to watch; none: every document", Arity = ArgumentArity.ZeroOrOne };
        var count = new Option<int>("--count") { Description = "Stop after this many changes (0: until Ctrl+C)" };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Stop after this long (exit 0)" };
        var command = new Command("watch", "Live status changes (the document's current state first, when one is given)") { token, count, timeout, JsonOption };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (r.GetValue(timeout) is { } after)
            {
                stop.CancelAfter(after);
            }

            using var channel = Channel(r);
            var seen = 0;
            var max = r.GetValue(count);
            var json = r.GetValue(JsonOption);
            try
            {
                await foreach (var change in new DocumentStatusService.DocumentStatusServiceClient(channel).WatchDocumentStatusAsync(
                    new WatchDocumentStatusRequest { DocumentToken = r.GetValue(token) ?? "" }, Headers(r), stop.Token))
                {
                    await output.WriteLineAsync(json ? Json.Format(change) : DescribeChange(change));
                    await output.FlushAsync(CancellationToken.None);
                    if (max > 0 && ++seen >= max)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // --timeout or Ctrl+C: a normal end of watching.
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    internal static string Describe(DocumentState state)
    {
        var lines = new List<string>
        {
            $"{state.DocumentToken}  {Name(state.Status)}  ({state.Provider}{(state.Test ? ", test" : "")})",
            $"  status since   {Time(state.StatusChangedAt)}  (event {state.StatusEventId})",
            $"  events         {state.EventCount}, first seen {Time(state.FirstSeenAt)}, updated {Time(state.UpdatedAt)}",
        };
        if (state.LastEvent is { } last)
        {
            lines.Add($"  last event     {last.ProviderEventType} ({last.EventType}) at {Time(last.OccurredAt)}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    internal static string DescribeChange(DocumentStatusChange change)
    {
        var kind = change.Kind == DocumentChangeKind.Initial ? "initial" : "updated";
        var cause = change.Event is { } e ? $"  <- {e.Provider} {e.ProviderEventType} ({e.EventType})" : "";
        return $"{DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {kind,-8} {change.Document?.DocumentToken,-34} {Name(change.Document?.Status ?? DocumentStatus.Unspecified),-12}{cause}";
    }

    /// <summary>"COMPLETED" for DOCUMENT_STATUS_COMPLETED; "-" for unspecified.</summary>
    internal static string Name(DocumentStatus status) => status == DocumentStatus.Unspecified
        ? "-"
        : DocumentStatusReflection.Descriptor.EnumTypes[0].FindValueByNumber((int)status).Name.Replace("DOCUMENT_STATUS_", "", StringComparison.Ordinal);

    internal static DocumentStatus ParseStatus(string value)
    {
        var name = "DOCUMENT_STATUS_" + value.Trim().ToUpperInvariant().Replace('-', '_');
        return DocumentStatusReflection.Descriptor.EnumTypes[0].FindValueByName(name) is { } found && found.Number != 0
            ? (DocumentStatus)found.Number
            : throw new CliException(ExitCodes.Usage, $"--status: '{value}' is not one of pending, in_progress, needs_review, completed, rejected");
    }

    private static string Time(Timestamp? t) => t is null ? "-" : t.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A Grpc.Net.Client channel to the status API (h2c for http://, TLS for https://).</summary>
    internal static GrpcChannel Channel(ParseResult result) => GrpcChannel.ForAddress(Endpoints.GrpcUrl(result));

    private static CallOptions Options(ParseResult result, CancellationToken cancellationToken) =>
        new(Headers(result), DateTime.UtcNow + result.GetValue(DeadlineOption), cancellationToken);

    private static Metadata? Headers(ParseResult result) =>
        Endpoints.GrpcAuthorization(result) is { } authorization ? new Metadata { { "authorization", authorization } } : null;
}
