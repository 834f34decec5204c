using Avro;
using Avro.Specific;

namespace streaming.documents.status.v1;

/// <summary>
/// The current state of one document: the value of the compacted topic documents.status.v1, typed. Field positions
/// follow contracts/avro/DocumentStatus.avsc (the schema is that file, embedded; a test fails on any drift).
/// </summary>
public sealed class DocumentStatus : ISpecificRecord
{
    /// <summary>The contract schema; Confluent's serdes and Apache.Avro's specific reader and writer use it.</summary>
    public static readonly RecordSchema _SCHEMA = DocumentStatusSchema.Root;

    public Schema Schema => _SCHEMA;

    public string DocumentToken { get; set; } = "";

    /// <summary>Only grows for a document: a subscriber keeps the snapshot with the highest version.</summary>
    public long Version { get; set; }

    public LifecycleStatus Status { get; set; } = LifecycleStatus.UNKNOWN;

    /// <summary>timestamp-millis, or null while the status is UNKNOWN; Apache.Avro reads it back as a UTC <see cref="DateTime"/>.</summary>
    public DateTime? StatusChangedAt { get; set; }

    public string? StatusEventId { get; set; }

    public string Provider { get; set; } = "";

    public EventSummary LastEvent { get; set; } = new();

    public long EventCount { get; set; }

    public DateTime FirstSeenAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public bool Test { get; set; }

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => DocumentToken,
        1 => Version,
        2 => Status,
        3 => StatusChangedAt,
        4 => StatusEventId,
        5 => Provider,
        6 => LastEvent,
        7 => EventCount,
        8 => FirstSeenAt,
        9 => UpdatedAt,
        10 => Test,
        _ => throw new AvroRuntimeException($"DocumentStatus has no field {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: DocumentToken = (string)fieldValue; break;
            case 1: Version = (long)fieldValue; break;
            case 2: Status = (LifecycleStatus)fieldValue; break;
            case 3: StatusChangedAt = (DateTime?)fieldValue; break;
            case 4: StatusEventId = (string?)fieldValue; break;
            case 5: Provider = (string)fieldValue; break;
            case 6: LastEvent = (EventSummary)fieldValue; break;
            case 7: EventCount = (long)fieldValue; break;
            case 8: FirstSeenAt = (DateTime)fieldValue; break;
            case 9: UpdatedAt = (DateTime)fieldValue; break;
            case 10: Test = (bool)fieldValue; break;
            default: throw new AvroRuntimeException($"DocumentStatus has no field {fieldPos}");
        }
    }
}

/// <summary>One event as a status snapshot names it (DocumentStatus.last_event).</summary>
public sealed class EventSummary : ISpecificRecord
{
    public static readonly RecordSchema _SCHEMA = DocumentStatusSchema.EventSummaryRecord;

    public Schema Schema => _SCHEMA;

    public string EventId { get; set; } = "";

    public string Provider { get; set; } = "";

    public string ProviderEventType { get; set; } = "";

    /// <summary>A symbol of DocumentEvent's EventType, as text.</summary>
    public string EventType { get; set; } = "";

    public LifecycleStatus Status { get; set; } = LifecycleStatus.UNKNOWN;

    public DateTime OccurredAt { get; set; }

    public DateTime ReceivedAt { get; set; }

    public bool Test { get; set; }

    public string Subject { get; set; } = "";

    public string ProviderEventId { get; set; } = "";

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => EventId,
        1 => Provider,
        2 => ProviderEventType,
        3 => EventType,
        4 => Status,
        5 => OccurredAt,
        6 => ReceivedAt,
        7 => Test,
        8 => Subject,
        9 => ProviderEventId,
        _ => throw new AvroRuntimeException($"EventSummary has no field {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: EventId = (string)fieldValue; break;
            case 1: Provider = (string)fieldValue; break;
            case 2: ProviderEventType = (string)fieldValue; break;
            case 3: EventType = (string)fieldValue; break;
            case 4: Status = (LifecycleStatus)fieldValue; break;
            case 5: OccurredAt = (DateTime)fieldValue; break;
            case 6: ReceivedAt = (DateTime)fieldValue; break;
            case 7: Test = (bool)fieldValue; break;
            case 8: Subject = (string)fieldValue; break;
            case 9: ProviderEventId = (string)fieldValue; break;
            default: throw new AvroRuntimeException($"EventSummary has no field {fieldPos}");
        }
    }
}
