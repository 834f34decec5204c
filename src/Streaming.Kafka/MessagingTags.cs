using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// OpenTelemetry messaging semantic conventions for Kafka spans (attribute names in one place), and the W3C trace
/// context our records carry in their <see cref="RawEventHeaders.TraceParent"/> and <see cref="RawEventHeaders.TraceState"/> headers.
/// </summary>
public static class MessagingTags
{
    public const string System = "messaging.system";
    public const string OperationName = "messaging.operation.name";
    public const string OperationType = "messaging.operation.type";
    public const string DestinationName = "messaging.destination.name";
    public const string PartitionId = "messaging.destination.partition.id";
    public const string MessageKey = "messaging.kafka.message.key";
    public const string Offset = "messaging.kafka.offset";
    public const string ConsumerGroup = "messaging.consumer.group.name";

    /// <summary>System, destination and operation of a span.</summary>
    public static void Destination(Activity activity, string topic, string operationName, string operationType)
    {
        activity.SetTag(System, "kafka");
        activity.SetTag(DestinationName, topic);
        activity.SetTag(OperationName, operationName);
        activity.SetTag(OperationType, operationType);
    }

    /// <summary>Where a consumed record came from: topic, partition, offset, key and the consumer group.</summary>
    public static void Consumed(Activity activity, string groupId, TopicPartitionOffset record, byte[]? key)
    {
        Destination(activity, record.Topic, "process", "process");
        activity.SetTag(ConsumerGroup, groupId);
        activity.SetTag(PartitionId, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        activity.SetTag(Offset, record.Offset.Value);
        if (key is not null)
        {
            activity.SetTag(MessageKey, global::System.Text.Encoding.UTF8.GetString(key));
        }
    }

    /// <summary>The trace context a record's headers carry, or default when it has none (or a malformed one).</summary>
    public static ActivityContext ParentOf(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(RawEventHeaders.TraceParent, out var bytes) || bytes.Length != 55)
        {
            return default;
        }

        var traceParent = global::System.Text.Encoding.ASCII.GetString(bytes);
        var traceState = RawEventHeaders.Get(headers, RawEventHeaders.TraceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>Replaces the record's trace context headers with <paramref name="activity"/>'s, so the next hop continues this span.</summary>
    public static void Inject(Activity activity, Headers headers)
    {
        headers.Remove(RawEventHeaders.TraceParent);
        headers.Remove(RawEventHeaders.TraceState);
        RawEventHeaders.Add(headers, RawEventHeaders.TraceParent, activity.Id!);
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.TraceState, state);
        }
    }
}
