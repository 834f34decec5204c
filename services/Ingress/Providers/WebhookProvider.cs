using Streaming.Json;
using System.Security.Cryptography;
using System.Threading.RateLimiting;

namespace Streaming.Ingress.Providers;

/// <summary>A provider's configuration merged with its profile, validated and ready to use.</summary>
public sealed class WebhookProvider : IDisposable
{
    public required string Name { get; init; }

    public required SignatureScheme Scheme { get; init; }

    public required string SignatureHeader { get; init; }

    public required SignatureEncoding SignatureEncoding { get; init; }

    public string? SignaturePrefix { get; init; }

    /// <summary>What the provider signs: one template, or several readings any of which is accepted.</summary>
    public required IReadOnlyList<SignedContentTemplate> SignedContent { get; init; }

    /// <summary>Whether any signed content template includes {timestamp}.</summary>
    public bool SignsTimestamp => SignedContent.Any(t => t.UsesTimestamp);

    /// <summary>Whether any signed content template includes {id}.</summary>
    public bool SignsId => SignedContent.Any(t => t.UsesId);

    public string? AlgorithmHeader { get; init; }

    public string? Algorithm { get; init; }

    public string? TimestampHeader { get; init; }

    public JsonPointer? TimestampPointer { get; init; }

    public TimeSpan TimestampTolerance { get; init; }

    public string? IdHeader { get; init; }

    /// <summary>HMAC keys (Hmac, StandardWebhooks), in configuration order.</summary>
    public IReadOnlyList<byte[]> SecretKeys { get; init; } = [];

    /// <summary>RSA public keys (Rsa), in configuration order.</summary>
    public IReadOnlyList<RSA> PublicKeys { get; init; } = [];

    public IReadOnlyList<JsonPointer> DocumentTokenPointers { get; init; } = [];

    public IReadOnlyList<JsonPointer> CorrelationIdPointers { get; init; } = [];

    public IReadOnlyList<JsonPointer> EventIdPointers { get; init; } = [];

    public IReadOnlyList<JsonPointer> EventTypePointers { get; init; } = [];

    public string? EventTypeHeader { get; init; }

    public IReadOnlyList<(JsonPointer Pointer, string Type)> EventTypeRules { get; init; } = [];

    public IReadOnlyList<JsonPointer> OccurredAtPointers { get; init; } = [];

    public JsonPointer? HandshakePointer
    {
        get;
        init
        {
            field = value;
            HandshakeField = value is null ? [] : System.Text.Encoding.UTF8.GetBytes(value.Text[(value.Text.LastIndexOf('/') + 1)..]);
        }
    }

    /// <summary>The handshake pointer's last segment as UTF-8: a body that does not contain it cannot be a handshake.</summary>
    public byte[] HandshakeField { get; private set; } = [];

    public bool HandshakeRequiresSignature { get; init; }

    public string? TestModeHeader { get; init; }

    public JsonPointer? TestModePointer { get; init; }

    public required int MaxBodyBytes { get; init; }

    /// <summary>Null when the provider has no rate limit.</summary>
    public RateLimiter? RateLimiter { get; init; }

    /// <summary>Whether the request must carry a timestamp (signed into the content, or checked for staleness).</summary>
    public bool NeedsTimestamp => SignsTimestamp || TimestampTolerance > TimeSpan.Zero;

    public void Dispose()
    {
        foreach (var key in PublicKeys)
        {
            key.Dispose();
        }

        RateLimiter?.Dispose();
    }
}
