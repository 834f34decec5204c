using Microsoft.Extensions.Configuration;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>The registry settings every service reads: Confluent's key names under "SchemaRegistry", older keys still honoured.</summary>
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
            ("SchemaRegistry:RequestTimeoutMs", "2500")));

        Assert.Equal(new Uri("https://registry.example:8081"), options.Url);
        Assert.Equal("alice:s3cret", options.BasicAuthUserInfo);
        Assert.False(options.EnableSslCertificateVerification);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), options.RequestTimeout);
        using var client = new SchemaRegistryClient(options);
    }

    [Fact]
    public void A_service_specific_url_from_older_deployments_wins_over_the_shared_one()
    {
        var configuration = Configuration(("SchemaRegistry:Url", "http://shared:8081"), ("Status:SchemaRegistryUrl", "http://legacy:8081"));

        Assert.Equal("http://legacy:8081", SchemaRegistryClientOptions.ConfiguredUrl(configuration, "Status:SchemaRegistryUrl"));
        Assert.Equal("http://shared:8081", SchemaRegistryClientOptions.ConfiguredUrl(configuration, "Normalizer:SchemaRegistryUrl"));
    }

    [Fact]
    public void Unsupported_credential_sources_and_missing_CA_files_fail_at_start_with_the_key_to_fix()
    {
        var sasl = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "http://registry:8081"), ("SchemaRegistry:BasicAuthCredentialsSource", "SASL_INHERIT")));
        var ca = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", "https://registry:8081"), ("SchemaRegistry:SslCaLocation", "/nonexistent/ca.pem")));

        Assert.Contains("SchemaRegistry:BasicAuthCredentialsSource", Assert.Throws<ArgumentException>(() => new SchemaRegistryClient(sasl)).Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:SslCaLocation", Assert.Throws<ArgumentException>(() => new SchemaRegistryClient(ca)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_from_configuration_reaches_a_registry_that_asks_for_it()
    {
        await using var host = await RegistryHost.StartAsync(requiredBasicAuth: "alice:s3cret");
        var options = SchemaRegistryClientOptions.FromConfiguration(Configuration(
            ("SchemaRegistry:Url", host.Url.AbsoluteUri), ("SchemaRegistry:BasicAuthUserInfo", "alice:s3cret")));
        using var client = new SchemaRegistryClient(options);

        var id = await client.RegisterAsync("users-value", Schemas.UserV1);

        Assert.True(id > 0);
    }
}
