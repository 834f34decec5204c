using System.Net;
using System.Reflection;
using Streaming.Avro;
using Streaming.SchemaRegistry;

namespace Streaming.Status.Projection;

/// <summary>
/// Turns documents.events.v1 values (Confluent wire format) into <see cref="ProjectedEvent"/>s, read with the contract
/// as the reader schema (contracts/avro/DocumentEvent.avsc, embedded) so newer writers keep working.
/// </summary>
public sealed class DocumentEventDecoder
{
    public const string ResourceName = "contracts/avro/DocumentEvent.avsc";

    private static readonly Lazy<RecordSchema> Contract = new(() => (RecordSchema)AvroSchema.Parse(ReadResource()));

    private readonly AvroWireDeserializer _deserializer;

    public DocumentEventDecoder(SchemaRegistryClient registry)
    {
        _deserializer = new AvroWireDeserializer(registry, Contract.Value);
    }

    /// <summary>The reader schema: the contract as linked into this assembly.</summary>
    public static RecordSchema ReaderSchema => Contract.Value;

    /// <summary>
    /// Decodes one record. A record that can never be decoded yields a reason (it is dead-lettered); a registry that
    /// cannot be reached throws, so the batch is retried rather than records dropped.
    /// </summary>
    public async ValueTask<DecodeResult> DecodeAsync(byte[]? value, string topic, int partition, long offset, CancellationToken cancellationToken)
    {
        if (value is null || value.Length == 0)
        {
            return DecodeResult.Failed("empty value (tombstone or empty record): not a DocumentEvent");
        }

        object? datum;
        try
        {
            datum = await _deserializer.DeserializeAsync(value, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return DecodeResult.Failed("not a Confluent wire-format Avro record: " + e.Message);
        }
        catch (AvroException e)
        {
            return DecodeResult.Failed("cannot be read as a DocumentEvent: " + e.Message);
        }
        catch (SchemaRegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return DecodeResult.Failed($"writer schema unknown to the registry ({e.ErrorCode}): {e.Message}");
        }

        if (datum is not GenericRecord record)
        {
            return DecodeResult.Failed("the value is not an Avro record");
        }

        return FromRecord(record, topic, partition, offset);
    }

    /// <summary>Maps a record read with the contract schema; exposed for tests and bulk loads.</summary>
    public static DecodeResult FromRecord(GenericRecord record, string topic, int partition, long offset)
    {
        var token = record["document_token"] as string;
        var eventId = record["event_id"] as string;
        if (string.IsNullOrEmpty(token))
        {
            return DecodeResult.Failed("document_token is empty");
        }

        if (string.IsNullOrEmpty(eventId))
        {
            return DecodeResult.Failed("event_id is empty");
        }

        var subject = record["subject"] is GenericRecord s
            ? $"{s["kind"]?.ToString()?.ToLowerInvariant()}:{s["id"]}"
            : "";
        return DecodeResult.Ok(new ProjectedEvent(
            eventId,
            token,
            record["provider"] as string ?? "",
            record["provider_event_type"] as string ?? "",
            record["event_type"]?.ToString() ?? "UNKNOWN",
            ParseStatus(record["status"]?.ToString()),
            Millis(record["occurred_at"]),
            Millis(record["received_at"]),
            record["test"] is true,
            subject,
            topic,
            partition,
            offset,
            record["source"] is GenericRecord source ? source["provider_event_id"] as string ?? "" : ""));
    }

    public static LifecycleStatus ParseStatus(string? symbol) => symbol switch
    {
        "PENDING" => LifecycleStatus.Pending,
        "IN_PROGRESS" => LifecycleStatus.InProgress,
        "NEEDS_REVIEW" => LifecycleStatus.NeedsReview,
        "COMPLETED" => LifecycleStatus.Completed,
        "REJECTED" => LifecycleStatus.Rejected,
        _ => LifecycleStatus.Unknown,
    };

    private static long Millis(object? value) => value switch
    {
        DateTimeOffset t => t.ToUnixTimeMilliseconds(),
        DateTime t => new DateTimeOffset(t.ToUniversalTime()).ToUnixTimeMilliseconds(),
        long l => l,
        _ => 0,
    };

    private static string ReadResource()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing (see Status.csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A decoded event, or why the record cannot be one.</summary>
public readonly record struct DecodeResult(ProjectedEvent? Event, string? Failure)
{
    public static DecodeResult Ok(ProjectedEvent e) => new(e, null);

    public static DecodeResult Failed(string reason) => new(null, reason);
}
