using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;
using streaming.documents.v1;

namespace Streaming.Normalizer.Processing;

/// <summary>Topics the normalizer reads and writes.</summary>
public sealed record NormalizerTopics(string Input, string Output, string DeadLetter);

/// <summary>
/// Maps each raw record to a DocumentEvent (Confluent wire format, keyed like the raw record) or, when it
/// cannot be mapped, to a dead letter; drops provider retries of events already written.
/// </summary>
public sealed partial class NormalizingTransform : IRecordTransform
{
    private readonly EventMapper _mapper;
    private readonly NormalizerTopics _topics;
    private readonly Func<DocumentEvent, byte[]> _serialize;
    private readonly DedupeIndex _dedupe;
    private readonly Func<int, CancellationToken, IEnumerable<(string Id, long Timestamp)>> _history;
    private readonly ILogger _logger;
    private readonly NormalizerTelemetry? _telemetry;
    private readonly NormalizerTelemetry.BatchCounts _batch = new();
    private long _duplicates;
    private long _deadLetters;
    private long _normalized;

    /// <param name="history">Reads back the event ids a raw partition already wrote (see <see cref="OutputHistoryReader"/>).</param>
    public NormalizingTransform(
        EventMapper mapper,
        NormalizerTopics topics,
        Func<DocumentEvent, byte[]> serialize,
        DedupeIndex dedupe,
        Func<int, CancellationToken, IEnumerable<(string Id, long Timestamp)>> history,
        ILogger logger,
        NormalizerTelemetry? telemetry = null)
    {
        _telemetry = telemetry;
        _mapper = mapper;
        _topics = topics;
        _serialize = serialize;
        _dedupe = dedupe;
        _history = history;
        _logger = logger;
    }

    /// <summary>Provider retries dropped (counted when seen, including in batches later aborted).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public long Normalized => Interlocked.Read(ref _normalized);

    public void Prepare(TopicPartition partition, CancellationToken cancellationToken) =>
        _dedupe.Reset(partition.Partition.Value, _history(partition.Partition.Value, cancellationToken));

    public void Transform(ConsumeResult<byte[]?, byte[]?> record, List<OutputRecord> outputs)
    {
        var raw = new RawRecord(
            record.Topic,
            record.Partition.Value,
            record.Offset.Value,
            record.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null,
            record.Message.Value,
            record.Message.Headers ?? [],
            record.Message.Timestamp.Type == TimestampType.NotAvailable ? DateTimeOffset.UtcNow : record.Message.Timestamp.UtcDateTime);
        using var map = NormalizerTelemetry.StartMap();
        var result = _mapper.Map(raw);
        if (result.Event is not { } e)
        {
            outputs.Add(DeadLetter(record, result.DeadLetterReason!, result.DeadLetterDetail!));
            return;
        }

        map?.SetTag("streaming.provider", e.Provider);
        map?.SetTag("streaming.event_id", e.EventId);
        if (_dedupe.Contains(raw.Partition, e.EventId))
        {
            map?.SetTag("streaming.outcome", "duplicate");
            _batch.Add(NormalizerTelemetry.BatchCounts.Kind.Duplicate, e.Provider);
            Interlocked.Increment(ref _duplicates);
            LogDuplicate(_logger, e.Provider, e.EventId, raw.Partition, raw.Offset);
            return;
        }

        byte[] value;
        try
        {
            value = _serialize(DocumentEventContract.ToEvent(e));
        }
        catch (Avro.AvroException ex)
        {
            outputs.Add(DeadLetter(record, DeadLetterReasons.ContractViolation, ex.Message));
            return;
        }

        _dedupe.AddPending(raw.Partition, e.EventId);
        map?.SetTag("streaming.outcome", "normalized");
        _batch.Add(NormalizerTelemetry.BatchCounts.Kind.Normalized, e.Provider);
        Interlocked.Increment(ref _normalized);
        var headers = new Headers();
        RawEventHeaders.Add(headers, RawEventHeaders.EventId, e.EventId);
        RawEventHeaders.Add(headers, RawEventHeaders.Provider, e.Provider);
        RawEventHeaders.Add(headers, RawEventHeaders.TestMode, e.Test ? "true" : "false");
        RawEventHeaders.Add(headers, RawEventHeaders.ContentType, NormalizedHeaders.AvroContentType);
        if (e.TraceParent is { Length: > 0 } traceParent)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.TraceParent, traceParent);
        }

        if (e.TraceState is { Length: > 0 } traceState)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.TraceState, traceState);
        }

        AddSource(headers, record);
        outputs.Add(new OutputRecord(_topics.Output, new Message<byte[]?, byte[]?>
        {
            // The raw key is the document token (or correlation id) as the ingress extracted it: same bytes,
            // same partitioner, so the document's events stay in one partition, in raw order.
            Key = record.Message.Key,
            Value = value,
            Headers = headers,
        }));
    }

    public void Committed()
    {
        _dedupe.Commit();
        if (_telemetry is not null)
        {
            _batch.Flush(_telemetry);
        }

        _batch.Clear();
    }

    public void Aborted()
    {
        _dedupe.Abort();
        _batch.Clear();
    }

    public void Revoked(IReadOnlyCollection<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _dedupe.Forget(partition.Partition.Value);
        }
    }

    private OutputRecord DeadLetter(ConsumeResult<byte[]?, byte[]?> record, string reason, string detail)
    {
        Interlocked.Increment(ref _deadLetters);
        LogDeadLetter(_logger, reason, record.Partition.Value, record.Offset.Value, detail);
        _batch.Add(NormalizerTelemetry.BatchCounts.Kind.DeadLettered, RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.Provider) ?? "unknown", reason);
        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.SetTag("streaming.outcome", "dead_lettered");
            span.SetTag("streaming.dlq_reason", reason);
        }

        var headers = new Headers();
        foreach (var header in record.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        RawEventHeaders.Add(headers, RawEventHeaders.DeadLetterReason, reason);
        RawEventHeaders.Add(headers, RawEventHeaders.DeadLetterDetail, detail);
        AddSource(headers, record);
        return new OutputRecord(_topics.DeadLetter, new Message<byte[]?, byte[]?>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Headers = headers,
        });
    }

    private static void AddSource(Headers headers, ConsumeResult<byte[]?, byte[]?> record)
    {
        RawEventHeaders.Add(headers, RawEventHeaders.SourceTopic, record.Topic);
        RawEventHeaders.Add(headers, RawEventHeaders.SourcePartition, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        RawEventHeaders.Add(headers, RawEventHeaders.SourceOffset, record.Offset.Value.ToString(CultureInfo.InvariantCulture));
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Dropped a retry of {Provider} event {EventId} (raw {Partition}@{Offset})")]
    private static partial void LogDuplicate(ILogger logger, string provider, string eventId, int partition, long offset);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Dead-lettered raw {Partition}@{Offset}: {Reason} ({Detail})")]
    private static partial void LogDeadLetter(ILogger logger, string reason, int partition, long offset, string detail);
}
