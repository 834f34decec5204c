using Streaming.Json;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Streaming.Ingress.Providers;

/// <summary>The configured providers, resolved once at start; a bad definition fails the start.</summary>
public sealed class ProviderRegistry : IDisposable
{
    private readonly Dictionary<string, WebhookProvider> _providers;

    public ProviderRegistry(IOptions<IngressOptions> options)
    {
        var errors = new List<string>();
        _providers = Build(options.Value, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(IngressOptions.SectionName, typeof(IngressOptions), errors);
        }
    }

    public IReadOnlyCollection<WebhookProvider> All => _providers.Values;

    public bool TryGet(string name, out WebhookProvider provider) => _providers.TryGetValue(name, out provider!);

    public void Dispose()
    {
        foreach (var provider in _providers.Values)
        {
            provider.Dispose();
        }
    }

    /// <summary>Resolves every enabled provider; problems are added to <paramref name="errors"/>, none throw.</summary>
    public static Dictionary<string, WebhookProvider> Build(IngressOptions options, List<string> errors)
    {
        var result = new Dictionary<string, WebhookProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, configured) in options.Providers)
        {
            var prefix = $"Ingress:Providers:{name}";
            var profileName = configured.Profile ?? (BuiltInProfiles.All.ContainsKey(name) ? name : null);
            ProviderOptions? profile = null;
            if (profileName is not null && !BuiltInProfiles.All.TryGetValue(profileName, out profile))
            {
                errors.Add($"{prefix}:Profile: unknown profile '{profileName}' (known: {string.Join(", ", BuiltInProfiles.All.Keys)})");
                continue;
            }

            if (configured.Enabled == false)
            {
                continue;
            }

            var provider = Resolve(name, prefix, configured, profile ?? new ProviderOptions(), options, errors);
            if (provider is not null)
            {
                result[name] = provider;
            }
        }

        return result;
    }

    private static WebhookProvider? Resolve(string name, string prefix, ProviderOptions o, ProviderOptions p, IngressOptions ingress, List<string> errors)
    {
        var before = errors.Count;
        var scheme = o.Scheme ?? p.Scheme;
        if (scheme is null)
        {
            errors.Add($"{prefix}:Scheme is required (Hmac, Rsa or StandardWebhooks) for a provider without a built-in profile");
            return null;
        }

        var signatureHeader = o.SignatureHeader ?? p.SignatureHeader;
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            errors.Add($"{prefix}:SignatureHeader is required");
        }

        IReadOnlyList<SignedContentTemplate>? template = null;
        try
        {
            template = SignedContentTemplate.ParseAlternatives(o.SignedContent ?? p.SignedContent ?? "{body}");
        }
        catch (FormatException ex)
        {
            errors.Add($"{prefix}:SignedContent: {ex.Message}");
        }

        var timestampHeader = o.TimestampHeader ?? p.TimestampHeader;
        var timestampPointer = Pointer(o.TimestampPointer ?? p.TimestampPointer, $"{prefix}:TimestampPointer", errors);
        var tolerance = o.TimestampTolerance ?? p.TimestampTolerance ?? TimeSpan.Zero;
        if (tolerance < TimeSpan.Zero)
        {
            errors.Add($"{prefix}:TimestampTolerance must not be negative");
        }

        if (template is not null && template.Any(t => t.UsesTimestamp) && timestampHeader is null)
        {
            errors.Add($"{prefix}:SignedContent uses {{timestamp}} but TimestampHeader is not set");
        }

        if (tolerance > TimeSpan.Zero && timestampHeader is null && timestampPointer is null)
        {
            errors.Add($"{prefix}:TimestampTolerance is set but neither TimestampHeader nor TimestampPointer says where the timestamp is");
        }

        var idHeader = o.IdHeader ?? p.IdHeader;
        if (template is not null && template.Any(t => t.UsesId) && idHeader is null)
        {
            errors.Add($"{prefix}:SignedContent uses {{id}} but IdHeader is not set");
        }

        var secretEncoding = o.SecretEncoding ?? p.SecretEncoding ?? SecretEncoding.Text;
        var secretKeys = new List<byte[]>();
        var publicKeys = new List<RSA>();
        if (scheme == SignatureScheme.Rsa)
        {
            if (o.PublicKeys.Count == 0)
            {
                errors.Add($"{prefix}:PublicKeys needs at least one PEM public key (Rsa scheme)");
            }

            for (var i = 0; i < o.PublicKeys.Count; i++)
            {
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(o.PublicKeys[i]);
                    publicKeys.Add(rsa);
                }
                catch (ArgumentException)
                {
                    rsa.Dispose();
                    errors.Add($"{prefix}:PublicKeys:{i} is not a PEM RSA public key");
                }
            }
        }
        else
        {
            if (o.Secrets.Count == 0)
            {
                errors.Add($"{prefix}:Secrets needs at least one secret (set {prefix.Replace(":", "__", StringComparison.Ordinal)}__Secrets__0)");
            }

            for (var i = 0; i < o.Secrets.Count; i++)
            {
                var key = DecodeSecret(o.Secrets[i], scheme.Value, secretEncoding);
                if (key is null || key.Length == 0)
                {
                    errors.Add($"{prefix}:Secrets:{i} is empty or not valid {(scheme == SignatureScheme.StandardWebhooks ? "whsec_/base64" : secretEncoding.ToString())}");
                }
                else
                {
                    secretKeys.Add(key);
                }
            }
        }

        var maxBody = o.MaxBodyBytes ?? ingress.MaxBodyBytes;
        if (maxBody <= 0)
        {
            errors.Add($"{prefix}:MaxBodyBytes must be positive");
        }

        var rate = o.RateLimitPerSecond ?? p.RateLimitPerSecond ?? 0;
        RateLimiter? limiter = null;
        if (rate < 0)
        {
            errors.Add($"{prefix}:RateLimitPerSecond must not be negative");
        }
        else if (rate > 0)
        {
            // Refill in 10 ms steps so the limit is smooth rather than once a second.
            var perStep = Math.Max(1, (int)Math.Round(rate / 100));
            var period = TimeSpan.FromSeconds(perStep / rate);
            var burst = o.RateLimitBurst ?? p.RateLimitBurst ?? (int)Math.Ceiling(rate);
            limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, burst),
                TokensPerPeriod = perStep,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        }

        var provider = new WebhookProvider
        {
            Name = name,
            Scheme = scheme.Value,
            SignatureHeader = signatureHeader ?? "",
            SignatureEncoding = o.SignatureEncoding ?? p.SignatureEncoding ?? (scheme == SignatureScheme.Hmac ? SignatureEncoding.Hex : SignatureEncoding.Base64),
            SignaturePrefix = o.SignaturePrefix ?? p.SignaturePrefix,
            SignedContent = template ?? [SignedContentTemplate.Parse("{body}")],
            AlgorithmHeader = o.AlgorithmHeader ?? p.AlgorithmHeader,
            Algorithm = o.Algorithm ?? p.Algorithm,
            TimestampHeader = timestampHeader,
            TimestampPointer = timestampPointer,
            TimestampTolerance = tolerance,
            IdHeader = idHeader,
            SecretKeys = secretKeys,
            PublicKeys = publicKeys,
            DocumentTokenPointers = Pointers(o.DocumentTokenPointers, p.DocumentTokenPointers, $"{prefix}:DocumentTokenPointers", errors),
            CorrelationIdPointers = Pointers(o.CorrelationIdPointers, p.CorrelationIdPointers, $"{prefix}:CorrelationIdPointers", errors),
            EventIdPointers = Pointers(o.EventIdPointers, p.EventIdPointers, $"{prefix}:EventIdPointers", errors),
            EventTypePointers = Pointers(o.EventTypePointers, p.EventTypePointers, $"{prefix}:EventTypePointers", errors),
            EventTypeHeader = o.EventTypeHeader ?? p.EventTypeHeader,
            EventTypeRules = Rules(o.EventTypeRules.Count > 0 ? o.EventTypeRules : p.EventTypeRules, $"{prefix}:EventTypeRules", errors),
            OccurredAtPointers = Pointers(o.OccurredAtPointers, p.OccurredAtPointers, $"{prefix}:OccurredAtPointers", errors),
            HandshakePointer = Pointer(o.HandshakePointer ?? p.HandshakePointer, $"{prefix}:HandshakePointer", errors),
            HandshakeRequiresSignature = o.HandshakeRequiresSignature ?? p.HandshakeRequiresSignature ?? true,
            TestModeHeader = o.TestModeHeader ?? p.TestModeHeader,
            TestModePointer = Pointer(o.TestModePointer ?? p.TestModePointer, $"{prefix}:TestModePointer", errors),
            MaxBodyBytes = maxBody,
            RateLimiter = limiter,
        };

        if (errors.Count > before)
        {
            provider.Dispose();
            return null;
        }

        return provider;
    }

    /// <summary>Key bytes of a shared secret. Standard Webhooks secrets are "whsec_" + base64.</summary>
    public static byte[]? DecodeSecret(string secret, SignatureScheme scheme, SecretEncoding encoding)
    {
        const string whsec = "whsec_";
        if (scheme == SignatureScheme.StandardWebhooks || secret.StartsWith(whsec, StringComparison.Ordinal))
        {
            var text = secret.StartsWith(whsec, StringComparison.Ordinal) ? secret[whsec.Length..] : secret;
            return TryBase64(text);
        }

        return encoding == SecretEncoding.Base64 ? TryBase64(secret) : System.Text.Encoding.UTF8.GetBytes(secret);
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonPointer? Pointer(string? text, string key, List<string> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            return JsonPointer.Parse(text);
        }
        catch (FormatException ex)
        {
            errors.Add($"{key}: {ex.Message}");
            return null;
        }
    }

    private static (JsonPointer, string)[] Rules(List<string> rules, string key, List<string> errors)
    {
        var result = new List<(JsonPointer, string)>();
        for (var i = 0; i < rules.Count; i++)
        {
            var equals = rules[i].IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == rules[i].Length - 1)
            {
                errors.Add($"{key}:{i}: expected \"/json/pointer=event.type\"");
                continue;
            }

            if (Pointer(rules[i][..equals], $"{key}:{i}", errors) is { } pointer)
            {
                result.Add((pointer, rules[i][(equals + 1)..]));
            }
        }

        return [.. result];
    }

    private static JsonPointer[] Pointers(List<string> configured, List<string> profile, string key, List<string> errors) =>
        (configured.Count > 0 ? configured : profile)
            .Select((text, i) => Pointer(text, $"{key}:{i}", errors))
            .OfType<JsonPointer>()
            .ToArray();
}
