using Streaming.Json;
using System.Text;
using System.Text.Json;
using Streaming.Ingress.Providers;
using Streaming.Kafka;

namespace Streaming.Ingress.Webhooks;

/// <summary>Finds key, event id, type, time and test flag of a verified webhook; never fails.</summary>
public static class WebhookMetadataExtractor
{
    public static RawWebhook Extract(
        WebhookProvider provider,
        byte[] body,
        JsonElement? json,
        Func<string, string?> header,
        DateTimeOffset receivedAt,
        string? contentType,
        TraceContext trace)
    {
        var providerEventId = JsonPointer.FirstScalar(provider.EventIdPointers, json)
            ?? (provider.IdHeader is { } idHeader ? NonEmpty(header(idHeader)) : null);
        var eventId = providerEventId ?? RawEventHeaders.BodyHashId(provider.Name, body);

        string key;
        string keySource;
        if (JsonPointer.FirstScalar(provider.DocumentTokenPointers, json) is { } token)
        {
            (key, keySource) = (token, KeySources.Document);
        }
        else if (JsonPointer.FirstScalar(provider.CorrelationIdPointers, json) is { } correlation)
        {
            (key, keySource) = (correlation, KeySources.Correlation);
        }
        else
        {
            // Signed but unkeyable: still published (the normalizer dead-letters it), keyed by its id.
            (key, keySource) = (eventId, KeySources.Fallback);
        }

        var eventType = JsonPointer.FirstScalar(provider.EventTypePointers, json)
            ?? (provider.EventTypeHeader is { } typeHeader ? NonEmpty(header(typeHeader)) : null)
            ?? (json is { } root ? provider.EventTypeRules.FirstOrDefault(r => r.Pointer.Evaluate(root) is not null).Type : null);

        return new RawWebhook(
            provider.Name,
            body,
            key,
            keySource,
            eventId,
            providerEventId is null ? "body-hash" : "provider",
            eventType,
            JsonPointer.FirstScalar(provider.OccurredAtPointers, json),
            receivedAt,
            IsTestMode(provider, json, header),
            contentType,
            trace.TraceParent,
            trace.TraceState);
    }

    private static bool IsTestMode(WebhookProvider provider, JsonElement? json, Func<string, string?> header)
    {
        if (provider.TestModeHeader is { } name && header(name) is { } value
            && string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (provider.TestModePointer is { } pointer && json is { } root && pointer.Evaluate(root) is { } element)
        {
            return element.ValueKind == JsonValueKind.True
                || (element.ValueKind == JsonValueKind.String && string.Equals(element.GetString(), "true", StringComparison.OrdinalIgnoreCase));
        }

        return false;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
