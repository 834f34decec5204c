using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// The registry settings every service reads: Confluent's key names under "SchemaRegistry", older keys still honoured,
/// checked and handed to Confluent's client by ToConfluentConfig().
/// </summary>
public sealed class ClientConfigurationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Binds_Confluents_key_names_from_the_SchemaRegistry_section()
    {
        var options = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "https://registry.example:8081"),
            ("SchemaRegistry:BasicAuthUserInfo", "alice:s3cret"),
            ("SchemaRegistry:BasicAuthCredentialsSource", "USER_INFO"),
            ("SchemaRegistry:EnableSslCertificateVerification", "false"),
            ("SchemaRegistry:RequestTimeoutMs", "2500"),
            ("SchemaRegistry:LatestCacheTtlSecs", "5")));

        Assert.Equal(new Uri("https://registry.example:8081"), options.Url);
        Assert.Equal("alice:s3cret", options.BasicAuthUserInfo);
        Assert.False(options.EnableSslCertificateVerification);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.LatestCacheTtl);

        var config = options.ToConfluentConfig();
        Assert.Equal("https://registry.example:8081", config.Url);
        Assert.Equal(AuthCredentialsSource.UserInfo, config.BasicAuthCredentialsSource);
        Assert.Equal("alice:s3cret", config.BasicAuthUserInfo);
        Assert.False(config.EnableSslCertificateVerification);
        Assert.Equal(2500, config.RequestTimeoutMs);
        Assert.Equal(5, config.LatestCacheTtlSecs);
        using var client = new CachedSchemaRegistryClient(config);
    }

    [Fact]
    public void Unset_settings_keep_Confluents_defaults()
    {
        var config = SchemaRegistryClientOptions.FromConfiguration(Configuration(("SchemaRegistry:Url", "http://registry:8081/"))).ToConfluentConfig();

        Assert.Equal("http://registry:8081", config.Url);
        Assert.Null(config.BasicAuthCredentialsSource);
        Assert.Null(config.SslCaLocation);
        Assert.Null(config.LatestCacheTtlSecs);
        Assert.Equal(30_000, config.RequestTimeoutMs);
    }

    [Fact]
    public void A_service_specific_url_from_older_deployments_wins_over_the_shared_one()
    {
        var configuration = Configuration(("SchemaRegistry:Url", "http://shared:8081"), ("Status:SchemaRegistryUrl", "http://legacy:8081"));

        Assert.Equal("http://legacy:8081", SchemaRegistryClientOptions.ConfiguredUrl(configuration, "Status:SchemaRegistryUrl"));
        Assert.Equal("http://shared:8081", SchemaRegistryClientOptions.ConfiguredUrl(configuration, "Normalizer:SchemaRegistryUrl"));
    }

    [Fact]
    public void Unusable_settings_fail_before_any_request_with_the_key_to_fix()
    {
        var sasl = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "http://registry:8081"), ("SchemaRegistry:BasicAuthCredentialsSource", "SASL_INHERIT")));
        var ca = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "https://registry:8081"), ("SchemaRegistry:SslCaLocation", "/nonexistent/ca.pem")));
        var noUrl = SchemaRegistryClientOptions.FromConfiguration(Configuration(("SchemaRegistry:RequestTimeoutMs", "1000")));
        var badTimeout = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "http://registry:8081"), ("SchemaRegistry:RequestTimeoutMs", "0")));

        Assert.Contains("SchemaRegistry:BasicAuthCredentialsSource", Assert.Throws<ArgumentException>(() => sasl.ToConfluentConfig()).Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:SslCaLocation", Assert.Throws<ArgumentException>(() => ca.ToConfluentConfig()).Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:Url", Assert.Throws<ArgumentException>(() => noUrl.ToConfluentConfig()).Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:RequestTimeoutMs", Assert.Throws<ArgumentException>(() => badTimeout.ToConfluentConfig()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_from_configuration_reaches_a_registry_that_asks_for_it()
    {
        await using var host = await RegistryHost.StartAsync(requiredBasicAuth: "alice:s3cret");
        var options = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", host.Url.AbsoluteUri), ("SchemaRegistry:BasicAuthUserInfo", "alice:s3cret")));
        using var client = new CachedSchemaRegistryClient(options.ToConfluentConfig());

        var id = await client.RegisterSchemaAsync("users-value", new Schema(Schemas.UserV1, SchemaType.Avro));

        Assert.True(id > 0);
    }
}
