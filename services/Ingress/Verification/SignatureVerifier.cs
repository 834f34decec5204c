using Streaming.Json;
using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Streaming.Ingress.Providers;

namespace Streaming.Ingress.Verification;

/// <summary>
/// Checks a webhook's signature on the exact body bytes, then its timestamp. Every configured
/// secret or key is tried; signature bytes are compared in constant time.
/// </summary>
public sealed class SignatureVerifier(TimeProvider time)
{
    private const int HmacSize = 32;

    /// <summary>
    /// Verifies one request; <paramref name="header"/> returns a header's value or null. <paramref name="json"/> parses the
    /// body, and is called only once the signature holds (for a timestamp signed inside the body): nothing unsigned is parsed.
    /// </summary>
    public VerificationResult Verify(WebhookProvider provider, ReadOnlySpan<byte> body, Func<string, string?> header, Func<JsonElement?> json)
    {
        if (provider.AlgorithmHeader is { } algorithmHeader && header(algorithmHeader) is { } algorithm
            && !string.Equals(algorithm.Trim(), provider.Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            return VerificationResult.Fail(VerificationFailure.UnsupportedAlgorithm, $"The {algorithmHeader} header names an algorithm this endpoint does not accept.");
        }

        var headerTimestamp = provider.TimestampHeader is { } th ? header(th) : null;
        if (provider.SignsTimestamp && string.IsNullOrWhiteSpace(headerTimestamp))
        {
            return VerificationResult.Fail(VerificationFailure.MissingTimestamp, $"The {provider.TimestampHeader} header is missing.");
        }

        var id = provider.IdHeader is { } ih ? header(ih) : null;
        if (provider.SignsId && string.IsNullOrWhiteSpace(id))
        {
            return VerificationResult.Fail(VerificationFailure.MissingId, $"The {provider.IdHeader} header is missing.");
        }

        var signatureText = header(provider.SignatureHeader);
        if (string.IsNullOrWhiteSpace(signatureText))
        {
            return VerificationResult.Fail(VerificationFailure.MissingSignature, $"The {provider.SignatureHeader} header is missing.");
        }

        var candidates = ParseSignatures(provider, signatureText);
        if (candidates.Count == 0)
        {
            return VerificationResult.Fail(VerificationFailure.MalformedSignature, $"The {provider.SignatureHeader} header is not in the expected format.");
        }

        var matched = false;
        ArrayBufferWriter<byte>? content = null;
        foreach (var template in provider.SignedContent)
        {
            if (template.IsBodyOnly)
            {
                matched = Matches(provider, body, candidates);
            }
            else
            {
                content ??= new ArrayBufferWriter<byte>(body.Length + 128);
                content.ResetWrittenCount();
                template.Write(content, body, headerTimestamp?.Trim(), id?.Trim());
                matched = Matches(provider, content.WrittenSpan, candidates);
            }

            if (matched)
            {
                break;
            }
        }

        if (!matched)
        {
            return VerificationResult.Fail(VerificationFailure.SignatureMismatch, "The signature does not match the request body.");
        }

        return CheckTimestamp(provider, headerTimestamp, json);
    }

    private VerificationResult CheckTimestamp(WebhookProvider provider, string? headerTimestamp, Func<JsonElement?> json)
    {
        if (provider.TimestampTolerance <= TimeSpan.Zero)
        {
            return VerificationResult.Verified;
        }

        string? text;
        string where;
        if (provider.TimestampHeader is not null)
        {
            text = headerTimestamp;
            where = $"The {provider.TimestampHeader} header";
        }
        else
        {
            text = provider.TimestampPointer is { } pointer && json() is { } root ? pointer.Scalar(root) : null;
            where = $"The signed timestamp ({provider.TimestampPointer})";
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return VerificationResult.Fail(VerificationFailure.MissingTimestamp, $"{where} is missing.");
        }

        if (!TryParseTimestamp(text, out var timestamp))
        {
            return VerificationResult.Fail(VerificationFailure.MalformedTimestamp, $"{where} is not a Unix time or ISO 8601 timestamp.");
        }

        var now = time.GetUtcNow();
        if (timestamp < now - provider.TimestampTolerance)
        {
            return VerificationResult.Fail(VerificationFailure.StaleTimestamp, $"{where} is older than the allowed {provider.TimestampTolerance.TotalSeconds:0} s.");
        }

        if (timestamp > now + provider.TimestampTolerance)
        {
            return VerificationResult.Fail(VerificationFailure.FutureTimestamp, $"{where} is more than {provider.TimestampTolerance.TotalSeconds:0} s in the future.");
        }

        return VerificationResult.Verified;
    }

    private static bool Matches(WebhookProvider provider, ReadOnlySpan<byte> content, List<byte[]> candidates)
    {
        if (provider.Scheme == SignatureScheme.Rsa)
        {
            foreach (var key in provider.PublicKeys)
            {
                foreach (var candidate in candidates)
                {
                    if (key.VerifyData(content, candidate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        Span<byte> mac = stackalloc byte[HmacSize];
        foreach (var key in provider.SecretKeys)
        {
            HMACSHA256.HashData(key, content, mac);
            foreach (var candidate in candidates)
            {
                if (CryptographicOperations.FixedTimeEquals(mac, candidate))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The signature bytes the header carries; empty when none is well-formed.</summary>
    private static List<byte[]> ParseSignatures(WebhookProvider provider, string headerValue)
    {
        var result = new List<byte[]>(1);
        if (provider.Scheme == SignatureScheme.StandardWebhooks)
        {
            // "v1,<base64> v1,<base64>": several signatures during secret rotation; other versions are skipped.
            foreach (var entry in headerValue.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var comma = entry.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0 && entry.AsSpan(0, comma).SequenceEqual("v1") && Decode(entry[(comma + 1)..], SignatureEncoding.Base64) is { } bytes)
                {
                    result.Add(bytes);
                }
            }

            return result;
        }

        var text = headerValue.Trim();
        if (provider.SignaturePrefix is { Length: > 0 } prefix)
        {
            if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return result;
            }

            text = text[prefix.Length..];
        }

        if (Decode(text, provider.SignatureEncoding) is { } signature)
        {
            result.Add(signature);
        }

        return result;
    }

    private static byte[]? Decode(string text, SignatureEncoding encoding)
    {
        try
        {
            var bytes = encoding == SignatureEncoding.Hex ? Convert.FromHexString(text) : Convert.FromBase64String(text);
            return bytes.Length == 0 ? null : bytes;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Unix seconds, Unix milliseconds (13+ digits) or ISO 8601 with an offset.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            try
            {
                timestamp = text.Length >= 13 ? DateTimeOffset.FromUnixTimeMilliseconds(number) : DateTimeOffset.FromUnixTimeSeconds(number);
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                timestamp = default;
                return false;
            }
        }

        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fractional) && fractional < 100_000_000_000m)
        {
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long)(fractional * 1000));
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
    }
}
