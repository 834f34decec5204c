using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Streaming.Ingress.Tests;

/// <summary>How a test wants a request signed.</summary>
public sealed record SignOptions
{
    public int SecretIndex { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public bool TestMode { get; init; }

    /// <summary>Sign with a secret (or key) the ingress does not know.</summary>
    public bool WrongSecret { get; init; }
}

/// <summary>A signed request ready to send.</summary>
public sealed record SignedRequest(string DocumentToken, byte[] Body, Dictionary<string, string> Headers, string? EventId);

/// <summary>
/// One provider as its vendor would call us: its payload shape, its headers, its signature
/// computed with Python's hmac or openssl (independent of the code under test).
/// </summary>
public abstract class ProviderCase
{
    public abstract string Name { get; }

    /// <summary>Configuration the ingress needs for this provider (two secrets or keys, for rotation).</summary>
    public abstract IEnumerable<KeyValuePair<string, string>> Settings { get; }

    /// <summary>The header carrying the signature.</summary>
    public abstract string SignatureHeader { get; }

    /// <summary>A signature header value that is not in the provider's format at all.</summary>
    public abstract string MalformedSignature { get; }

    /// <summary>Whether the provider's requests carry a timestamp that must be fresh.</summary>
    public virtual bool HasTimestamp => false;

    /// <summary>Whether the provider marks test deliveries in the body (else in a header).</summary>
    public abstract SignedRequest Create(SignOptions options);

    public override string ToString() => Name;

    protected static string NewToken() => "doc_" + Guid.NewGuid().ToString("N")[..16];

    protected static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    protected static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    public static IEnumerable<ProviderCase> All { get; } =
        [new InscribeCase(), new InSignerCase(), new InstntCase(), new InklessCase(), new GenericCase()];

    public static TheoryData<string> Names() => new(All.Select(c => c.Name));

    public static TheoryData<string> NamesWithTimestamps() => new(All.Where(c => c.HasTimestamp).Select(c => c.Name));

    public static ProviderCase Get(string name) => All.Single(c => c.Name == name);
}

public sealed class InscribeCase : ProviderCase
{
    private static readonly string[] Secrets = ["inscribe-secret-one", "inscribe-secret-two"];

    public override string Name => "inscribe";

    public override string SignatureHeader => "X-INSCRIBE-SIGNATURE";

    public override string MalformedSignature => "not-hex-at-all";

    public override IEnumerable<KeyValuePair<string, string>> Settings =>
        Secrets.Select((s, i) => KeyValuePair.Create($"Ingress:Providers:inscribe:Secrets:{i}", s));

    public override SignedRequest Create(SignOptions options)
    {
        var token = NewToken();
        var body = Json(new { document_id = token, customer_id = "cus_42", state = "PROCESSED", fraud_score = 0.02 });
        var secret = options.WrongSecret ? "not-the-secret" : Secrets[options.SecretIndex];
        return new SignedRequest(token, body, new()
        {
            [SignatureHeader] = ExternalSigner.HmacText(secret, body, hex: true),
            ["X-INSCRIBE-TEST-MODE"] = options.TestMode ? "true" : "false",
        }, null);
    }
}

public sealed class InSignerCase : ProviderCase
{
    private static readonly string[] Secrets = ["a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"];

    public override string Name => "insigner";

    public override string SignatureHeader => "X-InSigner-Signature";

    public override string MalformedSignature => "md5=abcdef";

    public override bool HasTimestamp => true;

    public override IEnumerable<KeyValuePair<string, string>> Settings =>
        Secrets.Select((s, i) => KeyValuePair.Create($"Ingress:Providers:insigner:Secrets:{i}", s));

    public override SignedRequest Create(SignOptions options)
    {
        var token = NewToken();
        var id = "dlv_" + Guid.NewGuid().ToString("N");
        var at = options.Timestamp ?? DateTimeOffset.UtcNow;
        var body = Json(new
        {
            id,
            @event = "signer.completed",
            api_version = "2026-05-28",
            created_at = Iso(at),
            test_mode = options.TestMode,
            data = new { document_id = token, signer_id = "sgn_1", email = "a@example.com" },
        });
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secret = options.WrongSecret ? "0000" : Secrets[options.SecretIndex];
        // inSigner's "Webhook Security" page: sha256=<hex HMAC-SHA256(secret, raw body)>; the timestamp is sent, not signed.
        return new SignedRequest(token, body, new()
        {
            [SignatureHeader] = "sha256=" + ExternalSigner.HmacText(secret, body, hex: true),
            ["X-InSigner-Timestamp"] = timestamp,
            ["X-InSigner-Delivery-Id"] = id,
            ["X-InSigner-Event"] = "signer.completed",
            ["User-Agent"] = "inSigner-Webhooks/1.0",
        }, id);
    }
}

public sealed class InstntCase : ProviderCase
{
    public override string Name => "instnt";

    public override string SignatureHeader => "Instnt-Signature";

    public override string MalformedSignature => "***not base64***";

    public override bool HasTimestamp => true;

    public override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        KeyValuePair.Create("Ingress:Providers:instnt:PublicKeys:0", ExternalSigner.RsaPrimary.PublicKeyPem),
        KeyValuePair.Create("Ingress:Providers:instnt:PublicKeys:1", ExternalSigner.RsaSecondary.PublicKeyPem),
    ];

    public override SignedRequest Create(SignOptions options)
    {
        var token = NewToken();
        var id = "evt_" + Guid.NewGuid().ToString("N")[..10];
        var at = options.Timestamp ?? DateTimeOffset.UtcNow;
        var body = Json(new
        {
            event_id = id,
            event_type = "document.verification.success",
            event_name = "Document image.png verified",
            timestamp = Iso(at),
            test_mode = options.TestMode,
            data = new { document_id = token, transaction_id = "txn_77" },
        });
        var key = options.WrongSecret ? RsaKeyPair.Generate() : options.SecretIndex == 0 ? ExternalSigner.RsaPrimary : ExternalSigner.RsaSecondary;
        return new SignedRequest(token, body, new() { [SignatureHeader] = key.Sign(body) }, id);
    }
}

public sealed class InklessCase : ProviderCase
{
    private static readonly string[] Secrets = ["inkless-webhook-secret", "inkless-rotated-secret"];

    public override string Name => "inkless";

    public override string SignatureHeader => "X-Inkless-Signature";

    public override string MalformedSignature => "%%%";

    public override IEnumerable<KeyValuePair<string, string>> Settings =>
        Secrets.Select((s, i) => KeyValuePair.Create($"Ingress:Providers:inkless:Secrets:{i}", s));

    public override SignedRequest Create(SignOptions options)
    {
        var token = NewToken();
        var body = Json(new { @event = "document_signed", secure_link_id = 271, document_token = token, timestamp = Iso(DateTimeOffset.UtcNow), test_mode = options.TestMode });
        return new SignedRequest(token, body, SignedHeaders(body, options.WrongSecret ? "guess" : Secrets[options.SecretIndex]), null);
    }

    /// <summary>The headers Inkless sends with these exact body bytes, signed with its first secret (or the one given).</summary>
    public Dictionary<string, string> SignedHeaders(byte[] body, string? secret = null) => new()
    {
        [SignatureHeader] = ExternalSigner.HmacText(secret ?? Secrets[0], body, hex: false),
        ["X-Inkless-Alg"] = "SHA256",
    };
}

public sealed class GenericCase : ProviderCase
{
    private static readonly string[] Keys = [Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))];

    public override string Name => "generic";

    public override string SignatureHeader => "webhook-signature";

    public override string MalformedSignature => "v2,c2lnbmF0dXJl";

    public override bool HasTimestamp => true;

    public override IEnumerable<KeyValuePair<string, string>> Settings =>
        Keys.Select((k, i) => KeyValuePair.Create($"Ingress:Providers:generic:Secrets:{i}", "whsec_" + k));

    public override SignedRequest Create(SignOptions options)
    {
        var token = NewToken();
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var at = options.Timestamp ?? DateTimeOffset.UtcNow;
        var body = Json(new { type = "verification.completed", timestamp = Iso(at), data = new { document_token = token, verification_id = "ver_9", result = "approved", test_mode = options.TestMode } });
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = options.WrongSecret ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) : Keys[options.SecretIndex];
        var signed = ExternalSigner.Concat(Encoding.UTF8.GetBytes($"{id}.{timestamp}."), body);
        return new SignedRequest(token, body, new()
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = timestamp,
            [SignatureHeader] = "v1," + ExternalSigner.HmacBase64Key(key, signed),
        }, id);
    }
}
