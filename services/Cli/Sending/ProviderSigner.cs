using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Streaming.Cli.Sending;

/// <summary>
/// Signs a webhook the way each provider does (services/Ingress/Providers/BuiltInProfiles.cs says
/// what the ingress checks). Secrets: the ingress's own configuration keys
/// (Ingress__Providers__{name}__Secrets__0 in the environment), else the development defaults the
/// embedded platform starts with; Instnt: STREAMING_INSTNT_PRIVATE_KEY (a PEM file), else the dev key.
/// </summary>
public sealed class ProviderSigner
{
    public static readonly IReadOnlyList<string> Providers = ["inscribe", "insigner", "instnt", "inkless", "generic"];

    /// <summary>The development secrets of services/Platform/platform.json.</summary>
    public static readonly IReadOnlyDictionary<string, string> DevelopmentSecrets = new Dictionary<string, string>
    {
        ["inscribe"] = "dev-inscribe-secret",
        ["insigner"] = "dev-insigner-secret",
        ["inkless"] = "dev-inkless-secret",
        ["generic"] = "whsec_ZGV2LWdlbmVyaWMtc2lnbmluZy1zZWNyZXQtMzJieXRlcw==",
    };

    private readonly Dictionary<string, string> _secrets;
    private readonly RSA _instntKey;

    public ProviderSigner(IReadOnlyDictionary<string, string>? secrets = null, string? instntPrivateKeyPem = null)
    {
        _secrets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (provider, fallback) in DevelopmentSecrets)
        {
            _secrets[provider] = secrets?.GetValueOrDefault(provider)
                ?? Environment.GetEnvironmentVariable($"Ingress__Providers__{provider}__Secrets__0")
                ?? fallback;
        }

        _instntKey = RSA.Create();
        _instntKey.ImportFromPem(instntPrivateKeyPem ?? LoadInstntKey());
    }

    /// <summary>Signs <paramref name="body"/> for <paramref name="provider"/>: the headers to send with it.</summary>
    public Dictionary<string, string> Sign(string provider, byte[] body, string? eventId = null, string? eventType = null, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        switch (provider.ToLowerInvariant())
        {
            case "inscribe":
                return new()
                {
                    ["X-INSCRIBE-SIGNATURE"] = Convert.ToHexStringLower(HMACSHA256.HashData(Text("inscribe"), body)),
                    ["X-INSCRIBE-TEST-MODE"] = "false",
                };
            case "insigner":
                var headers = new Dictionary<string, string>
                {
                    // inSigner signs the raw body; the timestamp travels beside it, unsigned.
                    ["X-InSigner-Signature"] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Text("insigner"), body)),
                    ["X-InSigner-Timestamp"] = seconds,
                    ["X-InSigner-Delivery-Id"] = eventId ?? "dlv_" + Guid.NewGuid().ToString("N"),
                };
                if (eventType is not null)
                {
                    headers["X-InSigner-Event"] = eventType;
                }

                return headers;
            case "instnt":
                // As Instnt's own sample code does: RSA-SHA256 over the body's SHA-256 digest.
                return new() { ["Instnt-Signature"] = Convert.ToBase64String(_instntKey.SignData(SHA256.HashData(body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) };
            case "inkless":
                return new()
                {
                    ["X-Inkless-Signature"] = Convert.ToBase64String(HMACSHA256.HashData(Text("inkless"), body)),
                    ["X-Inkless-Alg"] = "SHA256",
                };
            case "generic":
                var id = eventId ?? "msg_" + Guid.NewGuid().ToString("N");
                var secret = _secrets["generic"];
                var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
                return new()
                {
                    ["webhook-id"] = id,
                    ["webhook-timestamp"] = seconds,
                    ["webhook-signature"] = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Concat($"{id}.{seconds}.", body))),
                };
            default:
                throw new CliException(ExitCodes.Usage, $"unknown provider '{provider}' (known: {string.Join(", ", Providers)})");
        }
    }

    private byte[] Text(string provider) => Encoding.UTF8.GetBytes(_secrets[provider]);

    private static byte[] Concat(string prefix, byte[] body) => [.. Encoding.UTF8.GetBytes(prefix), .. body];

    private static string LoadInstntKey()
    {
        if (Environment.GetEnvironmentVariable("STREAMING_INSTNT_PRIVATE_KEY") is { Length: > 0 } path)
        {
            return File.ReadAllText(path);
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dev/instnt-dev-private.pem")
            ?? throw new InvalidOperationException("the development Instnt key is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
