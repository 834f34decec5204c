namespace Streaming.Ingress.Providers;

/// <summary>
/// The built-in provider profiles. Each reads its vendor's public webhook documentation (cited in docs/providers.md);
/// where a doc is vague the choice made is noted here and in docs/providers.md, and every
/// value can be overridden in configuration.
/// </summary>
public static class BuiltInProfiles
{
    public const string Inscribe = "inscribe";
    public const string InSigner = "insigner";
    public const string Instnt = "instnt";
    public const string Inkless = "inkless";
    public const string Generic = "generic";

    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    public static IReadOnlyDictionary<string, ProviderOptions> All { get; } =
        new Dictionary<string, ProviderOptions>(StringComparer.OrdinalIgnoreCase)
        {
            // HMAC-SHA256 hexdigest of the raw body in X-INSCRIBE-SIGNATURE. No timestamp, no
            // event id (the id is derived from the body). The body names no webhook type: the
            // three shapes (document result with document_id, customer with approval_status,
            // collect session with documents) tell it. Collect sessions and customers are keyed
            // by customer id.
            [Inscribe] = new()
            {
                Scheme = SignatureScheme.Hmac,
                SignatureHeader = "X-INSCRIBE-SIGNATURE",
                SignatureEncoding = SignatureEncoding.Hex,
                SignedContent = "{body}",
                TimestampTolerance = TimeSpan.Zero,
                TestModeHeader = "X-INSCRIBE-TEST-MODE",
                DocumentTokenPointers = ["/document_id", "/document/id"],
                CorrelationIdPointers = ["/customer_id", "/customer/id", "/id"],
                EventIdPointers = [],
                EventTypePointers = ["/webhook_type"],
                EventTypeRules =
                [
                    "/document_id=document.state_changed",
                    "/approval_status=customer.approval_status_changed",
                    "/documents=collect_session.completed",
                ],
                OccurredAtPointers = ["/updated_at", "/completed_at", "/created_at"],
            },

            // "X-InSigner-Signature: sha256=<hex>" of HMAC-SHA256(secret, raw body), as inSigner's
            // "Webhook Security" page says. X-InSigner-Timestamp (Unix seconds) is not signed; it is
            // still checked against +-5 minutes as that page asks of receivers. Event id: the
            // envelope's id (stable across retries). SignedContent "{timestamp}.{body}" switches to
            // a timestamp-bound signature for a sender that makes one.
            [InSigner] = new()
            {
                Scheme = SignatureScheme.Hmac,
                SignatureHeader = "X-InSigner-Signature",
                SignatureEncoding = SignatureEncoding.Hex,
                SignaturePrefix = "sha256=",
                SignedContent = "{body}",
                TimestampHeader = "X-InSigner-Timestamp",
                TimestampTolerance = FiveMinutes,
                IdHeader = "X-InSigner-Delivery-Id",
                EventTypeHeader = "X-InSigner-Event",
                TestModePointer = "/test_mode",
                DocumentTokenPointers = ["/data/document_id", "/data/document/id"],
                CorrelationIdPointers = ["/data/envelope_id"],
                EventIdPointers = ["/id"],
                EventTypePointers = ["/event"],
                OccurredAtPointers = ["/created_at"],
            },

            // RSA PKCS#1 v1.5 SHA-256, base64 in Instnt-Signature, verified with Instnt's public
            // key(s). Instnt's doc allows two readings of what is signed: its prose "validate the
            // signature against the hash digest" (RSA-SHA256 over the raw body) and its Node sample
            // (RSA-SHA256 over the body's SHA-256 digest, createVerify().update(hash, 'base64')).
            // Both are accepted. The "signed timestamp" is read from the body (/timestamp), stale
            // beyond 5 minutes.
            [Instnt] = new()
            {
                Scheme = SignatureScheme.Rsa,
                SignatureHeader = "Instnt-Signature",
                SignatureEncoding = SignatureEncoding.Base64,
                SignedContent = "{body}|{body-sha256}",
                TimestampPointer = "/timestamp",
                TimestampTolerance = FiveMinutes,
                TestModePointer = "/test_mode",
                DocumentTokenPointers = ["/data/document_id", "/data/documentId"],
                CorrelationIdPointers = ["/data/transaction_id", "/data/instnttxnid"],
                EventIdPointers = ["/event_id", "/id"],
                EventTypePointers = ["/event_type", "/type"],
                OccurredAtPointers = ["/timestamp"],
            },

            // Base64 HMAC-SHA256 of the raw body in X-Inkless-Signature, X-Inkless-Alg: SHA256.
            // The verification handshake (a body with verification_secret) is answered before any
            // secret is known, so it is not signed. No event id: derived from the body.
            [Inkless] = new()
            {
                Scheme = SignatureScheme.Hmac,
                SignatureHeader = "X-Inkless-Signature",
                SignatureEncoding = SignatureEncoding.Base64,
                SignedContent = "{body}",
                AlgorithmHeader = "X-Inkless-Alg",
                Algorithm = "SHA256",
                TimestampTolerance = TimeSpan.Zero,
                HandshakePointer = "/verification_secret",
                HandshakeRequiresSignature = false,
                TestModePointer = "/test_mode",
                DocumentTokenPointers = ["/document_token"],

                // No correlation key: a signing link (secure_link_id) is not a document.
                CorrelationIdPointers = [],
                EventTypePointers = ["/event"],
                OccurredAtPointers = ["/timestamp"],
            },

            // The generic verification vendor, as Standard Webhooks: "{id}.{timestamp}.{body}",
            // whsec_ secrets, +-5 minutes, webhook-id as the event id (the vendor says: dedupe on it).
            [Generic] = new()
            {
                Scheme = SignatureScheme.StandardWebhooks,
                SignatureHeader = "webhook-signature",
                SignatureEncoding = SignatureEncoding.Base64,
                SignedContent = "{id}.{timestamp}.{body}",
                TimestampHeader = "webhook-timestamp",
                TimestampTolerance = FiveMinutes,
                IdHeader = "webhook-id",
                TestModePointer = "/data/test_mode",
                DocumentTokenPointers = ["/data/document_token", "/data/document_id"],
                CorrelationIdPointers = ["/data/verification_id", "/data/session_id"],
                EventIdPointers = [],
                EventTypePointers = ["/type", "/event"],
                OccurredAtPointers = ["/timestamp", "/created_at"],
            },
        };
}
