using System.Globalization;
using System.Text.Json;
using Streaming.Cli.Sending;

namespace Streaming.Chaos;

/// <summary>The lifecycle statuses, as this checker models them (independently of the status service's code).</summary>
internal enum ModelStatus
{
    Unknown,
    Pending,
    InProgress,
    NeedsReview,
    Completed,
    Rejected,
}

/// <summary>One provider event: what it says about the document (per contracts/mappings/*.md) and its signed body.</summary>
internal sealed record VendorEvent(string Provider, string DocumentToken, string Type, ModelStatus Status, DateTimeOffset OccurredAt, byte[] Body, Func<IReadOnlyDictionary<string, string>> Sign)
{
    /// <summary>This run's own name for the event (not the pipeline's id): the ledger keys deliveries by it.</summary>
    public string Key { get; } = Guid.NewGuid().ToString("N");
}

/// <summary>A document's lifecycle: its events in lifecycle order, and the deliveries in the order the vendor sends them.</summary>
internal sealed record VendorDocument(string Provider, string Token, string Outcome, IReadOnlyList<VendorEvent> Events, IReadOnlyList<VendorEvent> Deliveries, bool OutOfOrder, int Duplicates)
{
    /// <summary>
    /// The final status the design promises for these events, whatever their arrival order: the terminal event with
    /// the latest occurred_at when there is one (an approval can be reversed), else the highest of PENDING &lt;
    /// IN_PROGRESS &lt; NEEDS_REVIEW; events that say nothing about the lifecycle (UNKNOWN) never move it.
    /// </summary>
    public static ModelStatus Expected(IEnumerable<VendorEvent> events)
    {
        var list = events.Where(e => e.Status != ModelStatus.Unknown).ToList();
        var terminal = list.Where(e => e.Status is ModelStatus.Completed or ModelStatus.Rejected).OrderBy(e => e.OccurredAt).LastOrDefault();
        if (terminal is not null)
        {
            return terminal.Status;
        }

        return list.Count == 0 ? ModelStatus.Unknown : list.Max(e => e.Status);
    }
}

/// <summary>
/// Makes documents the way the five vendors send them: new documents that stay open, full lifecycles to completion,
/// rejection or review, reversed decisions; sent with provider retries (the same bytes again) and out of order.
/// Event names and payloads follow contracts/mappings/*.md and docs/providers.md; signatures come from the CLI's
/// <see cref="ProviderSigner"/> (each attempt is signed at its own time, as vendors do).
/// </summary>
internal sealed class VendorModel(ProviderSigner signer, int seed)
{
    private static readonly string[] Outcomes = ["open", "completed", "completed", "rejected", "review", "reversed"];
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public VendorDocument Next(string provider)
    {
        lock (_gate)
        {
            var outcome = Outcomes[_random.Next(Outcomes.Length)];
            var token = $"doc_{provider}_{Guid.NewGuid().ToString("N")[..16]}";
            var t0 = DateTimeOffset.UtcNow.AddSeconds(-20);
            var steps = Steps(provider, outcome);
            var events = steps.Select((s, i) => Build(provider, token, s.Type, s.Status, t0.AddSeconds(i))).ToList();

            var deliveries = new List<VendorEvent>(events);
            var outOfOrder = false;
            if (deliveries.Count > 1 && _random.NextDouble() < 0.35)
            {
                var i = _random.Next(deliveries.Count - 1);
                (deliveries[i], deliveries[i + 1]) = (deliveries[i + 1], deliveries[i]);
                outOfOrder = true;
            }

            var duplicates = 0;
            if (_random.NextDouble() < 0.35)
            {
                var original = _random.Next(deliveries.Count);
                deliveries.Insert(_random.Next(original + 1, deliveries.Count + 1), deliveries[original]);
                duplicates++;
            }

            return new VendorDocument(provider, token, outcome, events, deliveries, outOfOrder, duplicates);
        }
    }

    /// <summary>A correctly signed request whose body was changed after signing: the ingress must answer 401 and store nothing.</summary>
    public (string Provider, byte[] Body, IReadOnlyDictionary<string, string> Headers, string[] Markers) Tampered(string provider)
    {
        string signedToken, sentToken;
        lock (_gate)
        {
            signedToken = $"doc_tampered_{Guid.NewGuid().ToString("N")[..16]}";
            sentToken = $"doc_tampered_{Guid.NewGuid().ToString("N")[..16]}";
        }

        var (type, status) = Steps(provider, "completed")[0];
        var signed = Build(provider, signedToken, type, status, DateTimeOffset.UtcNow.AddSeconds(-1));
        var headers = signed.Sign();
        var body = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(signed.Body).Replace(signedToken, sentToken, StringComparison.Ordinal));
        return (provider, body, headers, [signedToken, sentToken]);
    }

    private List<(string Type, ModelStatus Status)> Steps(string provider, string outcome)
    {
        (string, ModelStatus) Pick(params (string, ModelStatus)[] options) => options[_random.Next(options.Length)];
        var p = ModelStatus.Pending;
        var w = ModelStatus.InProgress;
        var c = ModelStatus.Completed;
        var r = ModelStatus.Rejected;
        var n = ModelStatus.NeedsReview;
        switch (provider)
        {
            case "inscribe":
                return outcome switch
                {
                    "open" => [("QUEUED", p)],
                    "rejected" => [("QUEUED", p), ("PROCESSING", w), ("FAILED", r)],
                    "reversed" => [("QUEUED", p), ("PROCESSING", w), ("PROCESSED", c), ("FAILED", r)],
                    _ => [("QUEUED", p), ("PROCESSING", w), ("PROCESSED", c)],
                };
            case "insigner":
                return outcome switch
                {
                    "open" => [("document.sent", p), ("document.viewed", w)],
                    "rejected" => [("document.sent", p), ("document.viewed", w), Pick(("document.declined", r), ("document.expired", r), ("signer.declined", r))],
                    "reversed" => [("document.sent", p), ("signer.completed", w), ("document.completed", c), ("document.voided", r)],
                    _ => [("document.sent", p), ("document.viewed", w), ("signer.completed", w), ("document.completed", c)],
                };
            case "instnt":
                return outcome switch
                {
                    "open" => [("transaction.initiated", p)],
                    "rejected" => [("transaction.initiated", p), ("document.submitted", w), Pick(("transaction.rejected", r), ("document.verification.failure", r))],
                    "review" => [("transaction.initiated", p), ("transaction.submitted", w), ("transaction.review", n)],
                    "reversed" => [("transaction.initiated", p), ("transaction.submitted", w), ("transaction.review", n), ("transaction.rejected", r), ("transaction.accepted", c)],
                    _ => [("transaction.initiated", p), ("document.submitted", w), Pick(("document.verification.success", c), ("transaction.accepted", c))],
                };
            case "inkless":
                // No rejection in Inkless' vocabulary; delivery events (email_delivered) never move the status.
                return outcome switch
                {
                    "open" => [("document_signing_link_sent", p), ("email_delivered", ModelStatus.Unknown)],
                    _ => [("document_signing_link_sent", p), ("email_delivered", ModelStatus.Unknown), ("link_viewed", w), ("document_signed", w), ("document_complete", c)],
                };
            case "generic":
                return outcome switch
                {
                    "open" => [("verification.created", p), ("verification.started", w)],
                    "rejected" => [("verification.created", p), ("verification.started", w), Pick(("verification.completed:declined", r), ("verification.failed", r), ("verification.expired", r))],
                    "review" => [("verification.created", p), ("verification.started", w), ("verification.completed:review", n)],
                    "reversed" => [("verification.created", p), ("verification.completed:approved", c), ("verification.failed", r)],
                    _ => [("verification.created", p), ("verification.started", w), ("verification.completed:approved", c)],
                };
            default:
                throw new ArgumentException($"unknown provider '{provider}'", nameof(provider));
        }
    }

    private VendorEvent Build(string provider, string token, string type, ModelStatus status, DateTimeOffset at)
    {
        var id = Guid.NewGuid().ToString("N");
        switch (provider)
        {
            case "inscribe":
            {
                var body = Json(new { document_id = token, customer_id = "cus_" + token, state = type, fraud_score = 0.02, updated_at = Iso(at) });
                return new(provider, token, "document.state_changed:" + type, status, at, body, () => signer.Sign("inscribe", body));
            }

            case "insigner":
            {
                var eventId = "evt_" + id[..20];
                var body = Json(new
                {
                    id = eventId,
                    @event = type,
                    api_version = "2026-05-28",
                    created_at = Iso(at),
                    test_mode = false,
                    data = new { document_id = token, envelope_id = "env_" + token, signer_id = "sgn_1" },
                });
                return new(provider, token, type, status, at, body, () => signer.Sign("insigner", body, "dlv_" + eventId, type));
            }

            case "instnt":
            {
                var body = Json(new
                {
                    event_id = "evt_" + id[..20],
                    event_type = type,
                    event_name = type,
                    timestamp = Iso(at),
                    test_mode = false,
                    data = new { document_id = token, transaction_id = "txn_" + token },
                });
                return new(provider, token, type, status, at, body, () => signer.Sign("instnt", body));
            }

            case "inkless":
            {
                var body = Json(new { @event = type, secure_link_id = 271, document_token = token, timestamp = Iso(at), test_mode = false });
                return new(provider, token, type, status, at, body, () => signer.Sign("inkless", body));
            }

            default:
            {
                var parts = type.Split(':');
                var messageId = "msg_" + id;
                object data = parts.Length == 1
                    ? new { document_token = token, verification_id = "ver_" + token, test_mode = false }
                    : new { document_token = token, verification_id = "ver_" + token, result = parts[1], test_mode = false };
                var body = Json(new { type = parts[0], timestamp = Iso(at), data });
                return new(provider, token, type, status, at, body, () => signer.Sign("generic", body, messageId));
            }
        }
    }

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
