using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Where the registry is and how to talk to it. Bound from the "SchemaRegistry" configuration section with the
/// names of Confluent's SchemaRegistryConfig (SchemaRegistry:Url, :BasicAuthUserInfo, :BasicAuthCredentialsSource,
/// :SslCaLocation, :EnableSslCertificateVerification, :RequestTimeoutMs, :LatestCacheTtlSecs) and handed to
/// Confluent's CachedSchemaRegistryClient by <see cref="ConfluentRegistryConfig.ToConfluentConfig"/>.
/// </summary>
public sealed class SchemaRegistryClientOptions
{
    /// <summary>The configuration section shared by every service.</summary>
    public const string SectionName = "SchemaRegistry";

    /// <summary>The registry's base URL, e.g. <c>http://localhost:8081</c> (a path prefix is kept).</summary>
    public Uri? Url { get; set; }

    /// <summary>Optional HTTP basic credentials as <c>user:password</c> (Confluent's <c>basic.auth.user.info</c>).</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>Where <see cref="BasicAuthUserInfo"/> comes from; only Confluent's <c>USER_INFO</c> is supported.</summary>
    public string? BasicAuthCredentialsSource { get; set; }

    /// <summary>A PEM file of the CA certificate that signed the registry's TLS certificate (Confluent's <c>ssl.ca.location</c>).</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>Verify the registry's TLS certificate (default); false only for a test registry.</summary>
    public bool EnableSslCertificateVerification { get; set; } = true;

    /// <summary>Timeout of one request to the registry (SchemaRegistry:RequestTimeoutMs).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long Confluent's client serves a subject's latest version from its cache (SchemaRegistry:LatestCacheTtlSecs);
    /// null keeps Confluent's default, which never expires it. Schemas by id and ids by schema are cached for good either way.
    /// </summary>
    public TimeSpan? LatestCacheTtl { get; set; }

    /// <summary>
    /// The "SchemaRegistry" section, with <paramref name="legacyUrl"/> (a service's own Normalizer:SchemaRegistryUrl or
    /// Status:SchemaRegistryUrl, kept for existing deployments) taking precedence over SchemaRegistry:Url when set.
    /// </summary>
    public static SchemaRegistryClientOptions FromConfiguration(IConfiguration configuration, string? legacyUrl = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new SchemaRegistryClientOptions();
        section.Bind(options);
        if (section["RequestTimeoutMs"] is { Length: > 0 } timeoutMs)
        {
            options.RequestTimeout = TimeSpan.FromMilliseconds(Number(timeoutMs, "RequestTimeoutMs"));
        }

        if (section["LatestCacheTtlSecs"] is { Length: > 0 } ttlSecs)
        {
            options.LatestCacheTtl = TimeSpan.FromSeconds(Number(ttlSecs, "LatestCacheTtlSecs"));
        }

        if (!string.IsNullOrWhiteSpace(legacyUrl))
        {
            options.Url = new Uri(legacyUrl);
        }

        return options;
    }

    /// <summary>SchemaRegistry:Url when set, else <paramref name="legacyKey"/>'s service-specific key.</summary>
    public static string? ConfiguredUrl(IConfiguration configuration, string legacyKey)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration[legacyKey] is { Length: > 0 } legacy ? legacy : configuration[$"{SectionName}:Url"];
    }

    /// <summary>
    /// The checks Confluent's client leaves to its first request or words in its own key names: each failure names the
    /// setting to fix, so a misconfigured service stops at start.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is missing or unusable.</exception>
    internal void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                Url is null ? $"{SectionName}:Url is not set." : $"{SectionName}:Url '{Url}' must be an absolute http(s) URL.", nameof(Url));
        }

        if (BasicAuthUserInfo is not null && !BasicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{SectionName}:BasicAuthUserInfo must be 'user:password'.", nameof(BasicAuthUserInfo));
        }

        if (BasicAuthCredentialsSource is { Length: > 0 } source && !string.Equals(source, "USER_INFO", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{SectionName}:BasicAuthCredentialsSource '{source}' is not supported here; use USER_INFO with {SectionName}:BasicAuthUserInfo.",
                nameof(BasicAuthCredentialsSource));
        }

        if (SslCaLocation is { Length: > 0 } ca && !File.Exists(ca))
        {
            throw new ArgumentException($"{SectionName}:SslCaLocation '{ca}' does not exist.", nameof(SslCaLocation));
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"{SectionName}:RequestTimeoutMs must be a positive number of milliseconds.", nameof(RequestTimeout));
        }

        if (LatestCacheTtl is { } ttl && (ttl <= TimeSpan.Zero || ttl.TotalSeconds > int.MaxValue))
        {
            throw new ArgumentException($"{SectionName}:LatestCacheTtlSecs must be a positive number of seconds.", nameof(LatestCacheTtl));
        }
    }

    private static double Number(string text, string key) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{SectionName}:{key} '{text}' is not a number.", key);
}
