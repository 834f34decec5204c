using Avro;
using Avro.Specific;

namespace streaming.documents.v1;

/// <summary>
/// One normalized event about a document: the value of documents.events.v1, typed. Field positions follow
/// contracts/avro/DocumentEvent.avsc (the schema is that file, embedded; a test fails on any drift).
/// </summary>
public sealed class DocumentEvent : ISpecificRecord
{
    /// <summary>The contract schema; Confluent's serdes and Apache.Avro's specific reader and writer use it.</summary>
    public static readonly RecordSchema _SCHEMA = DocumentEventSchema.Root;

    public Schema Schema => _SCHEMA;

    public string EventId { get; set; } = "";

    public string Provider { get; set; } = "";

    public string ProviderEventType { get; set; } = "";

    public EventType EventType { get; set; } = EventType.UNKNOWN;

    public DocumentStatus Status { get; set; } = DocumentStatus.UNKNOWN;

    public string DocumentToken { get; set; } = "";

    public KeySource KeySource { get; set; } = KeySource.DOCUMENT;

    public Subject? Subject { get; set; }

    /// <summary>timestamp-millis: Apache.Avro reads it back as a UTC <see cref="DateTime"/>.</summary>
    public DateTime OccurredAt { get; set; }

    public DateTime ReceivedAt { get; set; }

    public bool Test { get; set; }

#pragma warning disable CA2227 // Apache.Avro's specific reader assigns the map it decoded.
    public IDictionary<string, string> Attributes { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
#pragma warning restore CA2227

    public RawRecordRef Source { get; set; } = new();

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => EventId,
        1 => Provider,
        2 => ProviderEventType,
        3 => EventType,
        4 => Status,
        5 => DocumentToken,
        6 => KeySource,
        7 => Subject,
        8 => OccurredAt,
        9 => ReceivedAt,
        10 => Test,
        11 => Attributes,
        12 => Source,
        _ => throw new AvroRuntimeException($"DocumentEvent has no field {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: EventId = (string)fieldValue; break;
            case 1: Provider = (string)fieldValue; break;
            case 2: ProviderEventType = (string)fieldValue; break;
            case 3: EventType = (EventType)fieldValue; break;
            case 4: Status = (DocumentStatus)fieldValue; break;
            case 5: DocumentToken = (string)fieldValue; break;
            case 6: KeySource = (KeySource)fieldValue; break;
            case 7: Subject = (Subject?)fieldValue; break;
            case 8: OccurredAt = (DateTime)fieldValue; break;
            case 9: ReceivedAt = (DateTime)fieldValue; break;
            case 10: Test = (bool)fieldValue; break;
            case 11: Attributes = (IDictionary<string, string>)fieldValue; break;
            case 12: Source = (RawRecordRef)fieldValue; break;
            default: throw new AvroRuntimeException($"DocumentEvent has no field {fieldPos}");
        }
    }
}

/// <summary>Who or what within the document an event is about (a signer, a link, a customer, a transaction).</summary>
public sealed class Subject : ISpecificRecord
{
    public static readonly RecordSchema _SCHEMA = DocumentEventSchema.SubjectRecord;

    public Schema Schema => _SCHEMA;

    public SubjectKind Kind { get; set; } = SubjectKind.OTHER;

    public string Id { get; set; } = "";

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Kind,
        1 => Id,
        _ => throw new AvroRuntimeException($"Subject has no field {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Kind = (SubjectKind)fieldValue; break;
            case 1: Id = (string)fieldValue; break;
            default: throw new AvroRuntimeException($"Subject has no field {fieldPos}");
        }
    }
}

/// <summary>Lineage: the raw record (topic, partition, offset, provider event id) an event was normalized from.</summary>
public sealed class RawRecordRef : ISpecificRecord
{
    public static readonly RecordSchema _SCHEMA = DocumentEventSchema.SourceRecord;

    public Schema Schema => _SCHEMA;

    public string Topic { get; set; } = "";

    public int Partition { get; set; }

    public long Offset { get; set; }

    public string ProviderEventId { get; set; } = "";

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Topic,
        1 => Partition,
        2 => Offset,
        3 => ProviderEventId,
        _ => throw new AvroRuntimeException($"RawRecordRef has no field {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Topic = (string)fieldValue; break;
            case 1: Partition = (int)fieldValue; break;
            case 2: Offset = (long)fieldValue; break;
            case 3: ProviderEventId = (string)fieldValue; break;
            default: throw new AvroRuntimeException($"RawRecordRef has no field {fieldPos}");
        }
    }
}
