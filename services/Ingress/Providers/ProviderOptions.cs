namespace Streaming.Ingress.Providers;

/// <summary>How signatures are made.</summary>
public enum SignatureScheme
{
    /// <summary>HMAC-SHA256 of the signed content with a shared secret.</summary>
    Hmac,

    /// <summary>RSA PKCS#1 v1.5 with SHA-256 of the signed content, checked with the provider's public key.</summary>
    Rsa,

    /// <summary>Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,&lt;base64&gt;" (several allowed).</summary>
    StandardWebhooks,
}

/// <summary>How the signature bytes are written in the header.</summary>
public enum SignatureEncoding
{
    Hex,
    Base64,
}

/// <summary>
/// One webhook provider (configuration "Ingress:Providers:{name}"). Every property left unset
/// takes the value of the built-in profile named by <see cref="Profile"/> (or by the provider's
/// own name when it names one), so a built-in provider needs only its secrets.
/// </summary>
public sealed class ProviderOptions
{
    /// <summary>Built-in profile to start from: inscribe, insigner, instnt, inkless or generic.</summary>
    public string? Profile { get; set; }

    /// <summary>False turns the provider off (404), keeping its configuration.</summary>
    public bool? Enabled { get; set; }

    public SignatureScheme? Scheme { get; set; }

    /// <summary>Header carrying the signature (Standard Webhooks: webhook-signature).</summary>
    public string? SignatureHeader { get; set; }

    public SignatureEncoding? SignatureEncoding { get; set; }

    /// <summary>Text before the signature in the header that must be present and is stripped, e.g. "sha256=".</summary>
    public string? SignaturePrefix { get; set; }

    /// <summary>
    /// What is signed, as a template of the placeholders {body} (raw body bytes), {timestamp}
    /// and {id} (header values as sent) and {body-sha256} (the 32-byte SHA-256 digest of the
    /// body), with any literal text between them, e.g. "{body}" or "{timestamp}.{body}". Several
    /// templates separated by '|' are alternative readings: a signature valid under any of them is
    /// accepted (Instnt: "{body}|{body-sha256}").
    /// </summary>
    public string? SignedContent { get; set; }

    /// <summary>Header naming the algorithm (X-Inkless-Alg); when sent it must equal <see cref="Algorithm"/>.</summary>
    public string? AlgorithmHeader { get; set; }

    /// <summary>The only algorithm value accepted in <see cref="AlgorithmHeader"/> (case-insensitive).</summary>
    public string? Algorithm { get; set; }

    /// <summary>Header with the signing timestamp (Unix seconds, Unix milliseconds or ISO 8601).</summary>
    public string? TimestampHeader { get; set; }

    /// <summary>JSON pointer to a signed timestamp inside the body, for providers that sign only the body.</summary>
    public string? TimestampPointer { get; set; }

    /// <summary>Largest accepted distance between the signing timestamp and now, both ways. Zero: not checked.</summary>
    public TimeSpan? TimestampTolerance { get; set; }

    /// <summary>Header with the provider's message id ({id} in <see cref="SignedContent"/>; event id fallback).</summary>
    public string? IdHeader { get; set; }

    /// <summary>Shared secrets, all tried (rotation). "whsec_" secrets are base64 after the prefix.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>How a shared secret's text becomes key bytes: Text (UTF-8, the default) or Base64.</summary>
    public SecretEncoding? SecretEncoding { get; set; }

    /// <summary>PEM public keys for <see cref="SignatureScheme.Rsa"/>, all tried (rotation).</summary>
    public List<string> PublicKeys { get; set; } = [];

    /// <summary>JSON pointers tried in order for the document token (the Kafka key).</summary>
    public List<string> DocumentTokenPointers { get; set; } = [];

    /// <summary>JSON pointers tried when there is no document token: the provider's correlation id.</summary>
    public List<string> CorrelationIdPointers { get; set; } = [];

    /// <summary>JSON pointers tried for the provider's event id (then <see cref="IdHeader"/>).</summary>
    public List<string> EventIdPointers { get; set; } = [];

    /// <summary>JSON pointers tried for the provider's event type (then <see cref="EventTypeHeader"/>).</summary>
    public List<string> EventTypePointers { get; set; } = [];

    public string? EventTypeHeader { get; set; }

    /// <summary>
    /// For providers whose body names no type: "pointer=type" rules, the first whose pointer
    /// exists in the body gives the event type (e.g. "/approval_status=customer.approval_status_changed").
    /// </summary>
    public List<string> EventTypeRules { get; set; } = [];

    /// <summary>JSON pointers tried for when the event happened.</summary>
    public List<string> OccurredAtPointers { get; set; } = [];

    /// <summary>JSON pointer of a handshake token: a body with it is answered 200 text/plain with the token, not published.</summary>
    public string? HandshakePointer { get; set; }

    /// <summary>Whether a handshake must be signed too (Inkless sends it before any secret is shared: false).</summary>
    public bool? HandshakeRequiresSignature { get; set; }

    /// <summary>Header saying "true" for test deliveries (X-INSCRIBE-TEST-MODE).</summary>
    public string? TestModeHeader { get; set; }

    /// <summary>JSON pointer to a boolean (or "true"/"false") marking a test delivery.</summary>
    public string? TestModePointer { get; set; }

    /// <summary>Largest accepted body in bytes; unset: Ingress:MaxBodyBytes.</summary>
    public int? MaxBodyBytes { get; set; }

    /// <summary>Requests per second allowed for this provider (token bucket); unset or 0: unlimited.</summary>
    public double? RateLimitPerSecond { get; set; }

    /// <summary>Burst size of the rate limit; unset: one second's worth.</summary>
    public int? RateLimitBurst { get; set; }
}

/// <summary>How a shared secret's configured text becomes key bytes.</summary>
public enum SecretEncoding
{
    Text,
    Base64,
}
