using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Avro;
using Avro.IO;
using Avro.Specific;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.v1;

namespace Streaming.Status.Projection;

/// <summary>
/// Turns documents.events.v1 values (Confluent wire format) into <see cref="ProjectedEvent"/>s, read as the typed
/// DocumentEvent of contracts/avro/DocumentEvent.avsc (Streaming.Contracts) so newer writers keep working: a field added
/// later is skipped, an enum symbol added later reads as the enum's default (UNKNOWN).
/// </summary>
/// <remarks>
/// The writer schema comes from the registry through Confluent's client (cached there), is parsed as Confluent's
/// deserializer parses it (<see cref="AvroUtils.ResolveNamedSchema"/> for references), and Apache.Avro's
/// <see cref="SpecificReader{T}"/> resolves it against the contract. The reader is kept per schema id: Confluent's
/// AvroDeserializer looks its reader up by the writer and reader schemas' structural hash codes on every record, which
/// walk every field and symbol of both (about 14 of the 17 us a record took, 80 % of the projection thread).
/// </remarks>
public sealed class DocumentEventDecoder
{
    private const int WireHeaderLength = 5;

    // More writer schemas than a topic ever has; past it the cache starts over rather than grow.
    private const int MaxCachedReaders = 1000;

    private static readonly Avro.Schema ContractSchema = new DocumentEvent().Schema;

    private readonly ISchemaRegistryClient _registry;
    private readonly ConcurrentDictionary<int, SpecificReader<DocumentEvent>> _readers = new();

    /// <summary>Reads writer schemas through <paramref name="registry"/> (a CachedSchemaRegistryClient).</summary>
    public DocumentEventDecoder(ISchemaRegistryClient registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>
    /// Decodes one record. A record that can never be decoded yields a reason (it is dead-lettered); a registry that
    /// cannot be reached throws, so the batch is retried rather than records dropped. Runs on the caller's thread:
    /// only the first record of a schema id waits, for the registry.
    /// </summary>
    public DecodeResult Decode(byte[]? value, string topic, int partition, long offset)
    {
        if (value is null || value.Length == 0)
        {
            return DecodeResult.Failed("empty value (tombstone or empty record): not a DocumentEvent");
        }

        // Confluent's framing: magic byte 0, a big-endian int32 schema id, the Avro body.
        if (value.Length < WireHeaderLength || value[0] != 0)
        {
            return DecodeResult.Failed("not a Confluent wire-format Avro record: " + (value.Length < WireHeaderLength
                ? $"{value.Length} bytes, fewer than the {WireHeaderLength}-byte header"
                : $"magic byte {value[0]}, not 0"));
        }

        try
        {
            var reader = ReaderFor(BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1, 4)));
            using var body = new MemoryStream(value, WireHeaderLength, value.Length - WireHeaderLength, writable: false);
            return FromEvent(reader.Read(null!, new BinaryDecoder(body)), topic, partition, offset);
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

    /// <summary>The reader for a writer schema id, built (waiting for the registry) the first time the id is seen.</summary>
    private SpecificReader<DocumentEvent> ReaderFor(int schemaId)
    {
        if (_readers.TryGetValue(schemaId, out var reader))
        {
            return reader;
        }

        var writer = _registry.GetSchemaAsync(schemaId).GetAwaiter().GetResult();
        var named = AvroUtils.ResolveNamedSchema(writer, _registry).GetAwaiter().GetResult();
        reader = new SpecificReader<DocumentEvent>(Avro.Schema.Parse(writer.SchemaString, named), ContractSchema);
        if (_readers.Count >= MaxCachedReaders)
        {
            _readers.Clear();
        }

        _readers[schemaId] = reader;
        return reader;
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
