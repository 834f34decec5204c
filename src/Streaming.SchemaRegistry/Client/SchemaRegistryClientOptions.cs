namespace Streaming.SchemaRegistry;

/// <summary>Where the registry is and how to talk to it.</summary>
public sealed class SchemaRegistryClientOptions
{
    /// <summary>The registry's base URL, e.g. <c>http://localhost:8081</c> (a path prefix is kept).</summary>
    public Uri? Url { get; set; }

    /// <summary>Optional HTTP basic credentials as <c>user:password</c> (Confluent's <c>basic.auth.user.info</c>).</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>How long a subject's latest version is served from the cache; zero disables it.</summary>
    public TimeSpan LatestCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one request when the client creates its own <see cref="HttpClient"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

        if (LatestCacheTtl < TimeSpan.Zero)
        {
            throw new ArgumentException("SchemaRegistryClientOptions.LatestCacheTtl must not be negative.", nameof(LatestCacheTtl));
        }
    }
}
