using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Grpc.Core;
using Streaming.Kafka;
using Streaming.ServiceDefaults;
using Streaming.Status.Watching;

namespace Streaming.Status;

/// <summary>The status service's spans and metrics: ActivitySource and Meter "Streaming.Status".</summary>
public sealed class StatusTelemetry
{
    public const string Name = "Streaming.Status";

    internal static readonly ActivitySource Source = new(Name);

    // StatusCode.ToString() allocates a string per call; the names, once.
    private static readonly string[] CodeNames = Enum.GetValues<StatusCode>().Select(c => c.ToString()).ToArray();

    private readonly IMeterFactory _meters;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _applyDuration;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<long> _apiCalls;
    private readonly Histogram<double> _apiDuration;

    public StatusTelemetry(IMeterFactory meters, ChangeFeed feed)
    {
        _meters = meters;
        var meter = meters.Create(Name);
        _events = meter.CreateCounter<long>("streaming.status.projection.events", "{event}", "Events projected into the store, by outcome (applied, duplicate, dead_lettered)");
        _applyDuration = meter.CreateHistogram("streaming.status.projection.apply.duration", "s", "One batch's store transaction (events, dead letters and offsets)", advice: StreamingTelemetry.SecondsBuckets);
        _storeErrors = meter.CreateCounter<long>("streaming.status.store.errors", "{error}", "Projection attempts that failed and will be retried, by operation (decode, apply, read_offsets)");
        _apiCalls = meter.CreateCounter<long>("streaming.status.api.calls", "{call}", "gRPC calls served (DocumentStatusService, health, reflection), by service, method, status code and face (grpc, json)");
        _apiDuration = meter.CreateHistogram("streaming.status.api.duration", "s", "gRPC call duration, by service, method and face (a watch lasts as long as it is open)", advice: StreamingTelemetry.SecondsBuckets);
        // Series that alerts and the dashboard read exist from the start, at zero.
        foreach (var operation in new[] { "decode", "apply", "read_offsets" })
        {
            _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", operation));
        }

        foreach (var outcome in new[] { "applied", "duplicate", "dead_lettered" })
        {
            _events.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        meter.CreateObservableUpDownCounter("streaming.status.watchers", () => feed.WatcherCount, "{watcher}", "WatchDocumentStatus streams open now");
    }

    /// <summary>The lag gauge of the status consumer group (see <see cref="ConsumerLagMonitor"/>).</summary>
    public ConsumerLagMonitor LagMonitor(ClientConfig client, string groupId, TimeSpan interval) => new(_meters, client, groupId, interval);

    internal void Projected(int applied, int duplicates, int deadLetters)
    {
        Add(_events, applied, "applied");
        Add(_events, duplicates, "duplicate");
        Add(_events, deadLetters, "dead_lettered");
    }

    internal void StoreApplied(TimeSpan duration) => _applyDuration.Record(duration.TotalSeconds);

    internal void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal void ApiCall((string Service, string Method) rpc, StatusCode code, string face, TimeSpan duration)
    {
        var byService = new KeyValuePair<string, object?>("rpc.service", rpc.Service);
        var byMethod = new KeyValuePair<string, object?>("rpc.method", rpc.Method);
        var byFace = new KeyValuePair<string, object?>("api", face);
        _apiCalls.Add(1, byService, byMethod, new KeyValuePair<string, object?>("rpc.grpc.status_code", (int)code < CodeNames.Length ? CodeNames[(int)code] : "Unknown"), byFace);
        _apiDuration.Record(duration.TotalSeconds, byService, byMethod, byFace);
    }


    /// <summary>
    /// One consumer span per record of a batch, each continuing the trace its headers carry; they end when the batch's
    /// store transaction has committed (or failed). Null when nobody listens.
    /// </summary>
    internal static List<Activity>? StartProcessing(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records, string groupId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var spans = new List<Activity>(records.Count);
        var ambient = Activity.Current;
        foreach (var record in records)
        {
            // Each span is a sibling, never the next one's parent: the ambient activity is restored after each start.
            var span = Source.StartActivity("process " + record.Topic, ActivityKind.Consumer, MessagingTags.ParentOf(record.Message.Headers));
            Activity.Current = ambient;
            if (span is null)
            {
                continue;
            }

            if (span.IsAllDataRequested)
            {
                MessagingTags.Consumed(span, groupId, record.TopicPartitionOffset, record.Message.Key);
            }

            spans.Add(span);
        }

        return spans;
    }

    /// <summary>Ends the batch's spans: committed, or failed (the records are read again).</summary>
    internal static void StopProcessing(List<Activity>? spans, bool committed)
    {
        if (spans is null)
        {
            return;
        }

        var ambient = Activity.Current;
        foreach (var span in spans)
        {
            if (!committed)
            {
                span.SetStatus(ActivityStatusCode.Error, "the batch was not committed; its records are read again");
            }

            span.Stop();
        }

        Activity.Current = ambient;
    }

    private static void Add(Counter<long> counter, int value, string outcome)
    {
        if (value > 0)
        {
            counter.Add(value, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
