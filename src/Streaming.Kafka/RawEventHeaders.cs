using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>Kafka header names carried on <see cref="KafkaTopics.Raw"/> records, in one place.</summary>
public static class RawEventHeaders
{
    /// <summary>Provider name as configured in the ingress (e.g. "inkless").</summary>
    public const string Provider = "provider";

    /// <summary>The provider's event id, or "sha256:&lt;hex&gt;" of the body when the provider has none.</summary>
    public const string EventId = "event-id";

    /// <summary>"provider" when the id came from the request, "body-hash" when it was derived.</summary>
    public const string EventIdSource = "event-id-source";

    /// <summary>The provider's own event type, when it could be extracted.</summary>
    public const string EventType = "event-type";

    /// <summary>When the provider says the event happened (ISO 8601), when it could be extracted.</summary>
    public const string OccurredAt = "occurred-at";

    /// <summary>When the ingress received the request (ISO 8601, UTC, milliseconds).</summary>
    public const string ReceivedAt = "received-at";

    /// <summary>"true" or "false".</summary>
    public const string TestMode = "test-mode";

    /// <summary>The request's Content-Type.</summary>
    public const string ContentType = "content-type";

    /// <summary>W3C trace context.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, when the request carried one.</summary>
    public const string TraceState = "tracestate";

    /// <summary>What the record key is: "document", "correlation" or "fallback" (no key could be extracted).</summary>
    public const string KeySource = "key-source";

    /// <summary>On dead-lettered records: why the normalizer could not map the record.</summary>
    public const string DeadLetterReason = "dlq-reason";

    /// <summary>On dead-lettered records: a human-readable detail of the reason (never payload content).</summary>
    public const string DeadLetterDetail = "dlq-detail";

    /// <summary>On records derived from a raw record (normalized events, dead letters): the raw record's topic.</summary>
    public const string SourceTopic = "source-topic";

    /// <summary>On records derived from a raw record: the raw record's partition (decimal).</summary>
    public const string SourcePartition = "source-partition";

    /// <summary>On records derived from a raw record: the raw record's offset (decimal).</summary>
    public const string SourceOffset = "source-offset";

    /// <summary>Reads a header as UTF-8, or null when absent.</summary>
    public static string? Get(Headers? headers, string name)
    {
        if (headers is null || !headers.TryGetLastBytes(name, out var bytes))
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The <see cref="EventId"/> of a webhook whose provider sends none: "sha256:" + lowercase hex of SHA-256 over the
    /// provider name in lowercase, a newline and the body bytes, so the same delivery retried gets the same id.
    /// </summary>
    public static string BodyHashId(string provider, ReadOnlySpan<byte> body)
    {
        // One hash over "<provider>\n<body>" in a pooled buffer: no hash object per webhook.
        var name = provider.ToLowerInvariant();
        var length = Encoding.UTF8.GetByteCount(name) + 1 + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(name, buffer);
            buffer[written] = (byte)'\n';
            body.CopyTo(buffer.AsSpan(written + 1));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return "sha256:" + Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Adds a UTF-8 header.</summary>
    public static void Add(Headers headers, string name, string value) =>
        headers.Add(name, Encoding.UTF8.GetBytes(value));
}

/// <summary>Values of the <see cref="RawEventHeaders.KeySource"/> header.</summary>
public static class KeySources
{
    public const string Document = "document";
    public const string Correlation = "correlation";
    public const string Fallback = "fallback";
}
