using Confluent.SchemaRegistry;

namespace Streaming.SchemaRegistry;

/// <summary>The "SchemaRegistry" settings as Confluent's client takes them, for CachedSchemaRegistryClient and its serdes.</summary>
public static class ConfluentRegistryConfig
{
    /// <summary>Validates the settings (see <see cref="SchemaRegistryClientOptions.Validate"/>) and maps them to Confluent's.</summary>
    /// <exception cref="ArgumentException">A setting is missing or unusable; the message names the key to fix.</exception>
    public static SchemaRegistryConfig ToConfluentConfig(this SchemaRegistryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = new SchemaRegistryConfig
        {
            Url = options.Url!.ToString().TrimEnd('/'),
            RequestTimeoutMs = (int)options.RequestTimeout.TotalMilliseconds,
            EnableSslCertificateVerification = options.EnableSslCertificateVerification,
        };
        if (options.BasicAuthUserInfo is { Length: > 0 } userInfo)
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = userInfo;
        }

        if (options.SslCaLocation is { Length: > 0 } ca)
        {
            config.SslCaLocation = ca;
        }

        if (options.LatestCacheTtl is { } ttl)
        {
            config.LatestCacheTtlSecs = (int)Math.Ceiling(ttl.TotalSeconds);
        }

        return config;
    }
}
