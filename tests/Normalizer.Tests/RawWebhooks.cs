using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Normalizer.Mapping;

namespace Streaming.Normalizer.Tests;

/// <summary>
/// Raw records as the ingress publishes them (value = body bytes, key = token, RawEventHeaders), with payloads in
/// the shapes of tests/Ingress.Tests/ProviderCases.cs and services/Ingress/Providers/BuiltInProfiles.cs.
/// </summary>
public sealed record RawWebhook(string Provider, string Key, string KeySource, byte[] Body, Dictionary<string, string> Headers)
{
    public string EventId => Headers[RawEventHeaders.EventId];

    public Message<string, byte[]> ToMessage()
    {
        var headers = new Headers();
        foreach (var (name, value) in Headers)
        {
            RawEventHeaders.Add(headers, name, value);
        }

        return new Message<string, byte[]> { Key = Key, Value = Body, Headers = headers };
    }

    public RawRecord ToRawRecord(string topic = "webhooks.raw.v1", int partition = 0, long offset = 0)
    {
        var message = ToMessage();
        return new RawRecord(topic, partition, offset, Key, Body, message.Headers, DateTimeOffset.UtcNow);
    }

    public RawWebhook With(string header, string value)
    {
        var headers = new Dictionary<string, string>(Headers) { [header] = value };
        return this with { Headers = headers };
    }
}

public static class RawWebhooks
{
    public const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static string NewToken() => "doc_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A webhook of <paramref name="provider"/> for <paramref name="providerEvent"/>; <paramref name="set"/> overrides payload fields by JSON pointer.</summary>
    public static RawWebhook Create(
        string provider,
        string providerEvent,
        string? token = null,
        bool testMode = false,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, string>? set = null,
        string? eventId = null)
    {
        token ??= NewToken();
        var time = (at ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var providerId = eventId ?? provider switch
        {
            "insigner" => "dlv_" + Guid.NewGuid().ToString("N"),
            "instnt" => "evt_" + Guid.NewGuid().ToString("N")[..10],
            "generic" => "msg_" + Guid.NewGuid().ToString("N"),
            _ => null,
        };
        JsonObject body = provider switch
        {
            "inkless" => new() { ["event"] = providerEvent, ["secure_link_id"] = 271, ["document_token"] = token, ["timestamp"] = time, ["test_mode"] = testMode },
            "instnt" => new()
            {
                ["event_id"] = providerId,
                ["event_type"] = providerEvent,
                ["event_name"] = "Document image.png verified",
                ["timestamp"] = time,
                ["test_mode"] = testMode,
                ["data"] = providerEvent.StartsWith("transaction.", StringComparison.Ordinal)
                    ? new JsonObject { ["transaction_id"] = token }
                    : new JsonObject { ["document_id"] = token, ["transaction_id"] = "txn_77" },
            },
            "insigner" => new()
            {
                ["id"] = providerId,
                ["event"] = providerEvent,
                ["api_version"] = "2026-05-28",
                ["created_at"] = time,
                ["test_mode"] = testMode,
                ["data"] = new JsonObject { ["document_id"] = token, ["signer_id"] = "sgn_1", ["email"] = "a@example.com" },
            },
            "inscribe" => providerEvent switch
            {
                "customer.approval_status_changed" => new() { ["id"] = token, ["approval_status"] = "APPROVED", ["updated_at"] = time },
                "collect_session.completed" => new() { ["id"] = "cs_1", ["customer_id"] = token, ["documents"] = new JsonArray("doc_a"), ["completed_at"] = time },
                _ => new() { ["document_id"] = token, ["customer_id"] = "cus_42", ["state"] = "PROCESSED", ["fraud_score"] = 0.02, ["updated_at"] = time },
            },
            "generic" => new()
            {
                ["type"] = providerEvent,
                ["timestamp"] = time,
                ["data"] = new JsonObject { ["document_token"] = token, ["verification_id"] = "ver_9", ["result"] = "approved", ["test_mode"] = testMode },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "no payload shape"),
        };
        foreach (var (pointer, value) in set ?? new Dictionary<string, string>())
        {
            Set(body, pointer, value);
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var keySource = (provider, providerEvent) switch
        {
            ("instnt", _) when providerEvent.StartsWith("transaction.", StringComparison.Ordinal) => KeySources.Correlation,
            ("inscribe", "customer.approval_status_changed" or "collect_session.completed") => KeySources.Correlation,
            _ => KeySources.Document,
        };
        var headers = new Dictionary<string, string>
        {
            [RawEventHeaders.Provider] = provider,
            [RawEventHeaders.EventId] = providerId ?? RawEventHeaders.BodyHashId(provider, bytes),
            [RawEventHeaders.EventIdSource] = providerId is null ? "body-hash" : "provider",
            [RawEventHeaders.EventType] = providerEvent,
            [RawEventHeaders.OccurredAt] = time,
            [RawEventHeaders.ReceivedAt] = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            [RawEventHeaders.TestMode] = testMode ? "true" : "false",
            [RawEventHeaders.ContentType] = "application/json",
            [RawEventHeaders.TraceParent] = TraceParent,
            [RawEventHeaders.KeySource] = keySource,
        };
        return new RawWebhook(provider, token, keySource, bytes, headers);
    }

    /// <summary>A record the ingress could not key (key-source fallback, keyed by its event id).</summary>
    public static RawWebhook Unkeyed(string provider = "inkless")
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"document_signed","timestamp":"2026-03-11T23:25:31Z"}""");
        var id = RawEventHeaders.BodyHashId(provider, body);
        return new RawWebhook(provider, id, KeySources.Fallback, body, new()
        {
            [RawEventHeaders.Provider] = provider,
            [RawEventHeaders.EventId] = id,
            [RawEventHeaders.EventIdSource] = "body-hash",
            [RawEventHeaders.EventType] = "document_signed",
            [RawEventHeaders.ReceivedAt] = "2026-03-11T23:25:32.000Z",
            [RawEventHeaders.TestMode] = "false",
            [RawEventHeaders.TraceParent] = TraceParent,
            [RawEventHeaders.KeySource] = KeySources.Fallback,
        });
    }

    /// <summary>A body that is not JSON (signed, so the ingress published it).</summary>
    public static RawWebhook Unparsable(string provider = "inkless")
    {
        var body = Encoding.UTF8.GetBytes("event=document_signed&token=x\u0001\u00ff");
        var token = NewToken();
        return new RawWebhook(provider, token, KeySources.Document, body, new()
        {
            [RawEventHeaders.Provider] = provider,
            [RawEventHeaders.EventId] = RawEventHeaders.BodyHashId(provider, body),
            [RawEventHeaders.EventIdSource] = "body-hash",
            [RawEventHeaders.ReceivedAt] = "2026-03-11T23:25:32.000Z",
            [RawEventHeaders.TestMode] = "false",
            [RawEventHeaders.TraceParent] = TraceParent,
            [RawEventHeaders.KeySource] = KeySources.Document,
        });
    }

    private static void Set(JsonObject root, string pointer, string value)
    {
        var parts = pointer.TrimStart('/').Split('/');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node[part] as JsonObject ?? throw new ArgumentException($"no object at {part} in {pointer}");
        }

        node[parts[^1]] = value;
    }

    public static JsonElement Parse(byte[] body) => JsonDocument.Parse(body).RootElement.Clone();
}
