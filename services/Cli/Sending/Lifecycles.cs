using System.Globalization;
using System.Text.Json;

namespace Streaming.Cli.Sending;

/// <summary>How a delivery relates to the provider's events: the first time, a provider retry, or an event arriving after a later one.</summary>
public enum DeliveryKind
{
    First,
    Duplicate,
    OutOfOrder,
}

/// <summary>One webhook request as the provider would send it; <see cref="Sign"/> makes its headers at sending time (fresh timestamps).</summary>
public sealed record WebhookDelivery(
    string Provider,
    string DocumentToken,
    string EventType,
    DeliveryKind Kind,
    byte[] Body,
    Func<IReadOnlyDictionary<string, string>> Sign);

/// <summary>What the pipeline must end with for one document of a lifecycle.</summary>
public sealed record DocumentExpectation(string Provider, string DocumentToken, string FinalStatus, int DistinctEvents);

/// <summary>A provider's lifecycle for one document: deliveries in sending order, and the expected end state.</summary>
public sealed record Lifecycle(DocumentExpectation Expectation, IReadOnlyList<WebhookDelivery> Deliveries);

/// <summary>
/// A full lifecycle per provider, from first event to completion, sent with one provider retry (a
/// duplicate) and one event delivered after a later one (out of order), as providers really do. The
/// event names and payload shapes follow contracts/mappings/*.md.
/// </summary>
public static class Lifecycles
{
    public static Lifecycle For(string provider, ProviderSigner signer, string? token = null, DateTimeOffset? start = null)
    {
        var t0 = start ?? DateTimeOffset.UtcNow.AddSeconds(-30);
        token ??= NewToken(provider);
        return provider.ToLowerInvariant() switch
        {
            "inscribe" => Inscribe(signer, token, t0),
            "insigner" => InSigner(signer, token, t0),
            "instnt" => Instnt(signer, token, t0),
            "inkless" => Inkless(signer, token, t0),
            "generic" => Generic(signer, token, t0),
            _ => throw new CliException(ExitCodes.Usage, $"unknown provider '{provider}' (known: {string.Join(", ", ProviderSigner.Providers)})"),
        };
    }

    public static string NewToken(string provider) => $"doc_{provider}_{Guid.NewGuid().ToString("N")[..12]}";

    private static Lifecycle Inscribe(ProviderSigner signer, string token, DateTimeOffset t0)
    {
        byte[] State(string state, int second) => Json(new { document_id = token, customer_id = "cus_cli", state, fraud_score = 0.02, updated_at = Iso(t0.AddSeconds(second)) });
        var queued = State("QUEUED", 0);
        var processing = State("PROCESSING", 1);
        var processed = State("PROCESSED", 2);
        WebhookDelivery D(byte[] body, string type, DeliveryKind kind) => new("inscribe", token, type, kind, body, () => signer.Sign("inscribe", body));
        return new(new("inscribe", token, "COMPLETED", 3),
        [
            D(queued, "document.state_changed:QUEUED", DeliveryKind.First),
            D(processed, "document.state_changed:PROCESSED", DeliveryKind.First),
            D(processing, "document.state_changed:PROCESSING", DeliveryKind.OutOfOrder),
            D(processed, "document.state_changed:PROCESSED", DeliveryKind.Duplicate),
        ]);
    }

    private static Lifecycle InSigner(ProviderSigner signer, string token, DateTimeOffset t0)
    {
        (string Id, string Type, byte[] Body) Event(string type, int second)
        {
            var id = "evt_" + Guid.NewGuid().ToString("N")[..16];
            return (id, type, Json(new
            {
                id,
                @event = type,
                api_version = "2026-05-28",
                created_at = Iso(t0.AddSeconds(second)),
                test_mode = false,
                data = new { document_id = token, envelope_id = "env_" + token, signer_id = "sgn_1" },
            }));
        }

        var sent = Event("document.sent", 0);
        var viewed = Event("document.viewed", 1);
        var signed = Event("signer.completed", 2);
        var completed = Event("document.completed", 3);
        WebhookDelivery D((string Id, string Type, byte[] Body) e, DeliveryKind kind) =>
            new("insigner", token, e.Type, kind, e.Body, () => signer.Sign("insigner", e.Body, "dlv_" + e.Id, e.Type));
        return new(new("insigner", token, "COMPLETED", 4),
        [
            D(sent, DeliveryKind.First),
            D(viewed, DeliveryKind.First),
            D(completed, DeliveryKind.First),
            D(signed, DeliveryKind.OutOfOrder),
            D(completed, DeliveryKind.Duplicate),
        ]);
    }

    private static Lifecycle Instnt(ProviderSigner signer, string token, DateTimeOffset t0)
    {
        var transaction = "txn_" + token;
        byte[] Event(string type, string name, int second) => Json(new
        {
            event_id = "evt_" + Guid.NewGuid().ToString("N")[..16],
            event_type = type,
            event_name = name,
            timestamp = Iso(t0.AddSeconds(second)),
            test_mode = false,
            data = new { document_id = token, transaction_id = transaction },
        });
        var initiated = Event("transaction.initiated", "Form displayed", 0);
        var submitted = Event("document.submitted", "Document submitted", 1);
        var verified = Event("document.verification.success", "Document verified", 2);
        WebhookDelivery D(byte[] body, string type, DeliveryKind kind) => new("instnt", token, type, kind, body, () => signer.Sign("instnt", body));
        return new(new("instnt", token, "COMPLETED", 3),
        [
            D(initiated, "transaction.initiated", DeliveryKind.First),
            D(verified, "document.verification.success", DeliveryKind.First),
            D(submitted, "document.submitted", DeliveryKind.OutOfOrder),
            D(verified, "document.verification.success", DeliveryKind.Duplicate),
        ]);
    }

    private static Lifecycle Inkless(ProviderSigner signer, string token, DateTimeOffset t0)
    {
        byte[] Event(string type, int second) => Json(new { @event = type, secure_link_id = 271, document_token = token, timestamp = Iso(t0.AddSeconds(second)), test_mode = false });
        var linkSent = Event("document_signing_link_sent", 0);
        var viewed = Event("link_viewed", 1);
        var emailed = Event("email_delivered", 2);
        var signed = Event("document_signed", 3);
        var complete = Event("document_complete", 4);
        WebhookDelivery D(byte[] body, string type, DeliveryKind kind) => new("inkless", token, type, kind, body, () => signer.Sign("inkless", body));
        return new(new("inkless", token, "COMPLETED", 5),
        [
            D(linkSent, "document_signing_link_sent", DeliveryKind.First),
            D(viewed, "link_viewed", DeliveryKind.First),
            D(emailed, "email_delivered", DeliveryKind.First),
            D(complete, "document_complete", DeliveryKind.First),
            D(signed, "document_signed", DeliveryKind.OutOfOrder),
            D(signed, "document_signed", DeliveryKind.Duplicate),
        ]);
    }

    private static Lifecycle Generic(ProviderSigner signer, string token, DateTimeOffset t0)
    {
        (string Id, string Type, byte[] Body) Event(string type, int second, string? result = null)
        {
            var id = "msg_" + Guid.NewGuid().ToString("N");
            object data = result is null
                ? new { document_token = token, verification_id = "ver_" + token, test_mode = false }
                : new { document_token = token, verification_id = "ver_" + token, result, test_mode = false };
            return (id, type, Json(new { type, timestamp = Iso(t0.AddSeconds(second)), data }));
        }

        var created = Event("verification.created", 0);
        var started = Event("verification.started", 1);
        var completed = Event("verification.completed", 2, "approved");
        // A Standard Webhooks retry keeps webhook-id and the body, and is signed again at its own time.
        WebhookDelivery D((string Id, string Type, byte[] Body) e, DeliveryKind kind) =>
            new("generic", token, e.Type, kind, e.Body, () => signer.Sign("generic", e.Body, e.Id));
        return new(new("generic", token, "COMPLETED", 3),
        [
            D(created, DeliveryKind.First),
            D(completed, DeliveryKind.First),
            D(started, DeliveryKind.OutOfOrder),
            D(completed, DeliveryKind.Duplicate),
        ]);
    }

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
