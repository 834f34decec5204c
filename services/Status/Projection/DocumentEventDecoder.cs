using System.Net;
using Avro;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using static Streaming.SchemaRegistry.CallerThreadSerdes;
using streaming.documents.v1;

namespace Streaming.Status.Projection;

/// <summary>
/// Turns documents.events.v1 values (Confluent wire format) into <see cref="ProjectedEvent"/>s, read as the typed
/// DocumentEvent of contracts/avro/DocumentEvent.avsc (Streaming.Contracts) so newer writers keep working: a field added
/// later is skipped, an enum symbol added later reads as the enum's default (UNKNOWN).
/// </summary>
public sealed class DocumentEventDecoder
{
    private const int WireHeaderLength = 5;

    private readonly AvroDeserializer<DocumentEvent> _deserializer;

    /// <summary>Reads with Confluent's Avro deserializer through <paramref name="registry"/> (a CachedSchemaRegistryClient).</summary>
    public DocumentEventDecoder(ISchemaRegistryClient registry)
    {
        _deserializer = new AvroDeserializer<DocumentEvent>(registry);
    }

    /// <summary>
    /// Decodes one record. A record that can never be decoded yields a reason (it is dead-lettered); a registry that
    /// cannot be reached throws, so the batch is retried rather than records dropped. Runs on the caller's thread: the
    /// projection loop decodes record by record without a trip through the thread pool for each.
    /// </summary>
    public DecodeResult Decode(byte[]? value, string topic, int partition, long offset)
    {
        if (value is null || value.Length == 0)
        {
            return DecodeResult.Failed("empty value (tombstone or empty record): not a DocumentEvent");
        }

        // Confluent's framing (magic byte 0, a big-endian int32 schema id, the Avro body) is checked here: Confluent's
        // deserializer reports a shorter value or another magic byte as an ArgumentOutOfRangeException, which the loop
        // would take for an unreachable registry and retry for ever.
        if (value.Length < WireHeaderLength || value[0] != 0)
        {
            return DecodeResult.Failed("not a Confluent wire-format Avro record: " + (value.Length < WireHeaderLength
                ? $"{value.Length} bytes, fewer than the {WireHeaderLength}-byte header"
                : $"magic byte {value[0]}, not 0"));
        }

        try
        {
            var e = _deserializer.DeserializeOnCallerThread(value, new SerializationContext(MessageComponentType.Value, topic));
            return FromEvent(e, topic, partition, offset);
        }
        catch (InvalidDataException ex)
        {
            return DecodeResult.Failed("not a Confluent wire-format Avro record: " + ex.Message);
        }
        catch (AvroException ex)
        {
            return DecodeResult.Failed("cannot be read as a DocumentEvent: " + ex.Message);
        }
        catch (SchemaRegistryException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return DecodeResult.Failed($"writer schema unknown to the registry ({ex.ErrorCode}): {ex.Message}");
        }
        catch (Exception ex) when (!IsTransient(ex))
        {
            // Whatever else this record makes the reader throw, it would throw again: dead-letter it, keep the partition moving.
            return DecodeResult.Failed($"cannot be projected: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The registry unreachable, slow, failing or refusing us: the moment's fault, not the record's.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        SchemaRegistryException registry => registry.Status != HttpStatusCode.NotFound,
        HttpRequestException or TimeoutException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>Maps a decoded event; exposed for tests and bulk loads.</summary>
    public static DecodeResult FromEvent(DocumentEvent e, string topic, int partition, long offset)
    {
        if (string.IsNullOrEmpty(e.DocumentToken))
        {
            return DecodeResult.Failed("document_token is empty");
        }

        if (string.IsNullOrEmpty(e.EventId))
        {
            return DecodeResult.Failed("event_id is empty");
        }

        var subject = e.Subject is { } s ? $"{s.Kind.ToString().ToLowerInvariant()}:{s.Id}" : "";
        return DecodeResult.Ok(new ProjectedEvent(
            e.EventId,
            e.DocumentToken,
            e.Provider,
            e.ProviderEventType,
            e.EventType.ToString(),
            ParseStatus(e.Status.ToString()),
            Millis(e.OccurredAt),
            Millis(e.ReceivedAt),
            e.Test,
            subject,
            topic,
            partition,
            offset,
            e.Source.ProviderEventId));
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

    private static long Millis(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}

/// <summary>A decoded event, or why the record cannot be one.</summary>
public readonly record struct DecodeResult(ProjectedEvent? Event, string? Failure)
{
    public static DecodeResult Ok(ProjectedEvent e) => new(e, null);

    public static DecodeResult Failed(string reason) => new(null, reason);
}
