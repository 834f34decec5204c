using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.ServiceDefaults;

namespace Streaming.Normalizer;

/// <summary>
/// The normalizer's spans and metrics: ActivitySource and Meter "Streaming.Normalizer". Event counts move only when
/// their transaction commits (an aborted batch is read again and counted then), so they match what downstream sees.
/// </summary>
public sealed class NormalizerTelemetry
{
    public const string Name = "Streaming.Normalizer";

    internal static readonly ActivitySource Source = new(Name);

    private readonly IMeterFactory _meters;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _normalized;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _transactions;
    private readonly Histogram<double> _transactionDuration;

    public NormalizerTelemetry(IMeterFactory meters)
    {
        _meters = meters;
        var meter = meters.Create(Name);
        _consumed = meter.CreateCounter<long>("streaming.normalizer.records.consumed", "{record}", "Raw records consumed and committed, by provider");
        _normalized = meter.CreateCounter<long>("streaming.normalizer.events.normalized", "{event}", "DocumentEvents written to documents.events.v1, by provider");
        _deadLettered = meter.CreateCounter<long>("streaming.normalizer.events.dead_lettered", "{event}", "Raw records written to the DLQ, by provider and reason");
        _duplicates = meter.CreateCounter<long>("streaming.normalizer.events.duplicates", "{event}", "Provider retries of an event already normalized, dropped, by provider");
        _transactions = meter.CreateCounter<long>("streaming.normalizer.transactions", "{transaction}", "Kafka transactions ended, by outcome (committed, aborted)");
        _transactionDuration = meter.CreateHistogram("streaming.normalizer.transaction.duration", "s", "From a batch's first record to its committed transaction", advice: StreamingTelemetry.SecondsBuckets);

        // Series that alerts and the dashboard read exist from the start, at zero.
        _transactions.Add(0, new KeyValuePair<string, object?>("outcome", "committed"));
        _transactions.Add(0, new KeyValuePair<string, object?>("outcome", "aborted"));
    }

    /// <summary>The lag gauge of the normalizer's consumer group (see <see cref="ConsumerLagMonitor"/>).</summary>
    public ConsumerLagMonitor LagMonitor(ClientConfig client, string groupId, TimeSpan interval) => new(_meters, client, groupId, interval);

    internal void TransactionCommitted(TimeSpan duration)
    {
        _transactions.Add(1, new KeyValuePair<string, object?>("outcome", "committed"));
        _transactionDuration.Record(duration.TotalSeconds);
    }

    internal void TransactionAborted() => _transactions.Add(1, new KeyValuePair<string, object?>("outcome", "aborted"));

    /// <summary>The consumer span of one raw record, continuing the trace its headers carry (null when nobody listens).</summary>
    internal static Activity? StartProcess(ConsumeResult<byte[]?, byte[]?> record, string groupId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("process " + record.Topic, ActivityKind.Consumer, MessagingTags.ParentOf(record.Message.Headers));
        if (activity is { IsAllDataRequested: true })
        {
            MessagingTags.Consumed(activity, groupId, record.TopicPartitionOffset, record.Message.Key);
        }

        return activity;
    }

    /// <summary>The producer span of one output record; its context goes into the record's headers.</summary>
    internal static Activity? StartPublish(string topic, Message<byte[]?, byte[]?> message)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("publish " + topic, ActivityKind.Producer);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                MessagingTags.Destination(activity, topic, "publish", "send");
                if (message.Key is { } key)
                {
                    activity.SetTag(MessagingTags.MessageKey, System.Text.Encoding.UTF8.GetString(key));
                }
            }

            MessagingTags.Inject(activity, message.Headers ??= []);
        }

        return activity;
    }

    /// <summary>The mapping span of one raw record (a child of its process span).</summary>
    internal static Activity? StartMap() => Source.HasListeners() ? Source.StartActivity("map") : null;

    /// <summary>What one open batch did, by counter, provider and reason; counted when its transaction commits.</summary>
    internal sealed class BatchCounts
    {
        private readonly Dictionary<(Kind Kind, string Provider, string? Reason), long> _counts = [];

        internal enum Kind
        {
            Normalized,
            DeadLettered,
            Duplicate,
        }

        public void Add(Kind kind, string provider, string? reason = null) =>
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, (kind, provider, reason), out _)++;

        public void Clear() => _counts.Clear();

        public void Flush(NormalizerTelemetry telemetry)
        {
            foreach (var ((kind, provider, reason), count) in _counts)
            {
                var byProvider = new KeyValuePair<string, object?>("provider", provider);
                telemetry._consumed.Add(count, byProvider);
                switch (kind)
                {
                    case Kind.Normalized:
                        telemetry._normalized.Add(count, byProvider);
                        break;
                    case Kind.Duplicate:
                        telemetry._duplicates.Add(count, byProvider);
                        break;
                    default:
                        telemetry._deadLettered.Add(count, byProvider, new KeyValuePair<string, object?>("reason", reason));
                        break;
                }
            }

            _counts.Clear();
        }
    }
}
