using Microsoft.Extensions.Configuration;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Where the registry is and how to talk to it. Bound from the "SchemaRegistry" configuration section with the
/// names of Confluent's SchemaRegistryConfig (SchemaRegistry:Url, :BasicAuthUserInfo, :BasicAuthCredentialsSource,
/// :SslCaLocation, :EnableSslCertificateVerification, :RequestTimeoutMs), so the same settings carry over to
/// Confluent's client.
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

    /// <summary>A PEM file of the CA certificate(s) that signed the registry's TLS certificate (Confluent's <c>ssl.ca.location</c>).</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>Verify the registry's TLS certificate (default); false only for a test registry.</summary>
    public bool EnableSslCertificateVerification { get; set; } = true;

    /// <summary>How long a subject's latest version is served from the cache; zero disables it.</summary>
    public TimeSpan LatestCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one request when the client creates its own <see cref="HttpClient"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

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
            options.RequestTimeout = TimeSpan.FromMilliseconds(double.Parse(timeoutMs, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrWhiteSpace(legacyUrl))
        {
            options.Url = new Uri(legacyUrl);
        }

        return options;
    }

    /// <summary>SchemaRegistry:Url when set, else <paramref name="legacyUrl"/>'s service-specific key.</summary>
    public static string? ConfiguredUrl(IConfiguration configuration, string legacyKey)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration[legacyKey] is { Length: > 0 } legacy ? legacy : configuration[$"{SectionName}:Url"];
    }

    internal void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("SchemaRegistryClientOptions.Url must be an absolute http(s) URL.", nameof(Url));
        }

        if (BasicAuthUserInfo is not null && !BasicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("SchemaRegistryClientOptions.BasicAuthUserInfo must be 'user:password'.", nameof(BasicAuthUserInfo));
        }

        if (BasicAuthCredentialsSource is { Length: > 0 } source && !string.Equals(source, "USER_INFO", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"SchemaRegistry:BasicAuthCredentialsSource '{source}' is not supported here; use USER_INFO with SchemaRegistry:BasicAuthUserInfo.",
                nameof(BasicAuthCredentialsSource));
        }

        if (SslCaLocation is { Length: > 0 } ca && !File.Exists(ca))
        {
            throw new ArgumentException($"SchemaRegistry:SslCaLocation '{ca}' does not exist.", nameof(SslCaLocation));
        }

        if (LatestCacheTtl < TimeSpan.Zero)
        {
            throw new ArgumentException("SchemaRegistryClientOptions.LatestCacheTtl must not be negative.", nameof(LatestCacheTtl));
        }
    }
}
