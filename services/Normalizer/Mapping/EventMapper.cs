using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Streaming.Kafka;

namespace Streaming.Normalizer.Mapping;

/// <summary>The outcome of mapping one raw record: an event, or a reason to dead-letter the record.</summary>
public readonly record struct MapResult(NormalizedEvent? Event, string? DeadLetterReason, string? DeadLetterDetail)
{
    public static MapResult DeadLetter(string reason, string detail) => new(null, reason, detail);
}

/// <summary>Maps raw webhooks to DocumentEvents with the providers' tables. Pure: no I/O, never throws on bad input.</summary>
public sealed class EventMapper(MappingCatalog catalog, bool strictEventTypes)
{
    public const string UnknownSymbol = "UNKNOWN";

    public MappingCatalog Catalog { get; } = catalog;

    public bool StrictEventTypes { get; } = strictEventTypes;

    public MapResult Map(RawRecord raw)
    {
        if (raw.Header(RawEventHeaders.Provider) is not { Length: > 0 } provider)
        {
            return MapResult.DeadLetter(DeadLetterReasons.MissingProvider, "the record has no provider header");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw.Value ?? []);
        }
        catch (JsonException e)
        {
            return MapResult.DeadLetter(DeadLetterReasons.UnparsableJson, $"{provider}: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return MapResult.DeadLetter(DeadLetterReasons.UnparsableJson, $"{provider}: the body is a JSON {root.ValueKind}, not an object");
            }

            // Checked after the body: a body that is not JSON has no token either, and its real fault is the body.
            var keySource = raw.Header(RawEventHeaders.KeySource);
            if (string.IsNullOrEmpty(raw.Key) || keySource == KeySources.Fallback)
            {
                return MapResult.DeadLetter(DeadLetterReasons.MissingDocumentToken, $"{provider}: the ingress found no document token or correlation id");
            }

            var providerEvent = raw.Header(RawEventHeaders.EventType) ?? string.Empty;
            var table = Catalog.Find(provider);
            var row = table?.Find(providerEvent, root);
            if (row is null && StrictEventTypes)
            {
                var why = table is null ? "no mapping table for the provider" : "no mapping row for the event";
                return MapResult.DeadLetter(DeadLetterReasons.UnknownEventType, $"{provider} '{providerEvent}': {why}");
            }

            var subject = row?.Subject is { } rule && rule.At.Scalar(root) is { } subjectId ? new EventSubject(rule.Kind, subjectId) : null;
            var providerEventId = raw.Header(RawEventHeaders.EventId) ?? RawEventHeaders.BodyHashId(provider, raw.Value ?? []);
            var identity = row?.Dedupe == DedupeIdentity.TokenEventSubject
                ? $"token+event+subject\n{raw.Key}\n{providerEvent}\n{subject?.Id}"
                : providerEventId;

            var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var attribute in table?.Attributes ?? [])
            {
                if (attribute.At.Scalar(root) is { } value)
                {
                    attributes[attribute.Name] = value;
                }
            }

            foreach (var (name, value) in row?.Attributes ?? [])
            {
                attributes[name] = value;
            }

            var receivedAt = ParseTime(raw.Header(RawEventHeaders.ReceivedAt)) ?? raw.Timestamp;
            return new MapResult(
                new NormalizedEvent(
                    EventId: NormalizedEventId(provider, identity),
                    Provider: provider,
                    ProviderEventType: providerEvent,
                    EventType: row?.EventType ?? UnknownSymbol,
                    Status: row?.Status ?? UnknownSymbol,
                    DocumentToken: raw.Key,
                    KeySource: keySource == KeySources.Correlation ? "CORRELATION" : "DOCUMENT",
                    Subject: subject,
                    OccurredAt: ParseTime(raw.Header(RawEventHeaders.OccurredAt)) ?? receivedAt,
                    ReceivedAt: receivedAt,
                    Test: string.Equals(raw.Header(RawEventHeaders.TestMode), "true", StringComparison.OrdinalIgnoreCase),
                    Attributes: attributes,
                    Source: new RawRecordRef(raw.Topic, raw.Partition, raw.Offset, providerEventId),
                    TraceParent: raw.Header(RawEventHeaders.TraceParent),
                    TraceState: raw.Header(RawEventHeaders.TraceState)),
                null,
                null);
        }
    }

    /// <summary>
    /// The normalized event id: a UUID (version 8, RFC 9562) from SHA-256 of provider and event identity, so
    /// a retry of the same provider event gets the same id in any replica, before or after a restart.
    /// </summary>
    public static string NormalizedEventId(string provider, string identity)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("documentevent/v1\n" + provider.ToLowerInvariant() + "\n" + identity), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash[..16]);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>ISO 8601 (a zone-less time is UTC), or Unix seconds / milliseconds.</summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            // Below 10^11 a number reads as seconds (until year 5138), above as milliseconds.
            return number switch
            {
                < 100_000_000_000 => DateTimeOffset.FromUnixTimeSeconds(number),
                <= 253_402_300_799_999 => DateTimeOffset.FromUnixTimeMilliseconds(number),
                _ => null,
            };
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }
}
