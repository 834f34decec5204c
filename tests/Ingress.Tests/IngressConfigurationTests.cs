using System.Net;
using Microsoft.Extensions.Options;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

public sealed class IngressConfigurationTests
{
    private static async Task<OptionsValidationException> StartFailsAsync(params (string Key, string Value)[] settings)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, "unused", settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        });
        return error;
    }

    [Fact]
    public async Task Outside_development_a_missing_kafka_bootstrap_stops_the_start_instead_of_starting_an_in_memory_broker()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await IngressHost.StartAsync("", "unused", ProviderCase.Get("inkless").Settings);
        });

        Assert.Contains("Kafka:BootstrapServers is required outside the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_without_secrets_fails_the_start_with_a_clear_message()
    {
        var error = await StartFailsAsync(("Ingress:Providers:inkless:TestModeHeader", "X-Test"));

        Assert.Contains("Ingress:Providers:inkless:Secrets needs at least one secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_rsa_public_key_fails_the_start_naming_the_key()
    {
        var error = await StartFailsAsync(("Ingress:Providers:instnt:PublicKeys:0", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----"));

        Assert.Contains("Ingress:Providers:instnt:PublicKeys:0 is not a PEM RSA public key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_profile_or_placeholder_fails_the_start()
    {
        var error = await StartFailsAsync(
            ("Ingress:Providers:acme:Profile", "nonesuch"),
            ("Ingress:Providers:other:Scheme", "Hmac"),
            ("Ingress:Providers:other:SignatureHeader", "X-Sig"),
            ("Ingress:Providers:other:SignedContent", "{nonce}.{body}"),
            ("Ingress:Providers:other:Secrets:0", "s"));

        Assert.Contains("unknown profile 'nonesuch'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown placeholder {nonce}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sixth_provider_is_configuration_only()
    {
        // An HMAC-over-timestamp-and-body vendor with base64 signatures and no built-in profile.
        var topic = TestKafka.CreateTopic("sixth", 1);
        await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, topic,
        [
            KeyValuePair.Create("Ingress:Providers:acme:Scheme", "Hmac"),
            KeyValuePair.Create("Ingress:Providers:acme:SignatureHeader", "X-Acme-Signature"),
            KeyValuePair.Create("Ingress:Providers:acme:SignatureEncoding", "Base64"),
            KeyValuePair.Create("Ingress:Providers:acme:SignaturePrefix", "v1="),
            KeyValuePair.Create("Ingress:Providers:acme:SignedContent", "{timestamp}:{body}"),
            KeyValuePair.Create("Ingress:Providers:acme:TimestampHeader", "X-Acme-Time"),
            KeyValuePair.Create("Ingress:Providers:acme:TimestampTolerance", "00:02:00"),
            KeyValuePair.Create("Ingress:Providers:acme:Secrets:0", "acme-secret"),
            KeyValuePair.Create("Ingress:Providers:acme:DocumentTokenPointers:0", "/doc/token"),
            KeyValuePair.Create("Ingress:Providers:acme:EventTypePointers:0", "/kind"),
        ]);
        var body = ExternalSigner.Utf8("""{"kind":"doc.done","doc":{"token":"acme-1"}}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = ExternalSigner.HmacText("acme-secret", ExternalSigner.Concat(ExternalSigner.Utf8(now + ":"), body), hex: false);

        using var response = await host.Client.PostWebhookAsync("acme", body, new Dictionary<string, string>
        {
            ["X-Acme-Signature"] = "v1=" + signature,
            ["X-Acme-Time"] = now,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(TestKafka.ReadAll(topic, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal("acme-1", record.Message.Key);
    }

    [Fact]
    public async Task A_provider_over_its_rate_limit_gets_429_with_retry_after()
    {
        var topic = TestKafka.CreateTopic("ratelimit", 1);
        var inkless = new InklessCase();
        await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, topic, inkless.Settings.Concat(
        [
            // One token per 100 s: no refill can happen during the test, whenever the limiter's timer ticks.
            KeyValuePair.Create("Ingress:Providers:inkless:RateLimitPerSecond", "0.01"),
            KeyValuePair.Create("Ingress:Providers:inkless:RateLimitBurst", "2"),
        ]));
        var requests = Enumerable.Range(0, 3).Select(_ => inkless.Create(new SignOptions())).ToList();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        foreach (var request in requests)
        {
            var response = await host.Client.PostAsync("inkless", request);
            statuses.Add(response.StatusCode);
            limited = response;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Providers_can_be_defined_with_double_underscore_environment_variables()
    {
        // A unique name: other hosts started meanwhile in this process see it too, harmlessly.
        var name = "env" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable($"Ingress__Providers__{name}__Profile", "inkless");
        Environment.SetEnvironmentVariable($"Ingress__Providers__{name}__Secrets__0", "from-the-environment");
        try
        {
            var topic = TestKafka.CreateTopic("envvars", 1);
            await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, topic, []);
            var body = ExternalSigner.Utf8("""{"event":"link_viewed","document_token":"doc-env","secure_link_id":3}""");

            using var response = await host.Client.PostWebhookAsync(name, body, new Dictionary<string, string>
            {
                ["X-Inkless-Signature"] = ExternalSigner.HmacText("from-the-environment", body, hex: false),
            });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"Ingress__Providers__{name}__Profile", null);
            Environment.SetEnvironmentVariable($"Ingress__Providers__{name}__Secrets__0", null);
        }
    }

    [Fact]
    public async Task A_disabled_provider_answers_404()
    {
        var inkless = new InklessCase();
        await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, "unused",
            inkless.Settings.Append(KeyValuePair.Create("Ingress:Providers:inkless:Enabled", "false")));

        using var response = await host.Client.PostAsync("inkless", inkless.Create(new SignOptions()));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
