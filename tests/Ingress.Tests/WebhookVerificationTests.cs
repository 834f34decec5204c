using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Streaming.Kafka;

namespace Streaming.Ingress.Tests;

// Every provider over real HTTP into the shared broker; signatures made by Python's hmac or openssl.
[Collection(IngressCollection.Name)]
public sealed class WebhookVerificationTests(IngressFixture fixture)
{
    private readonly HttpClient _client = fixture.Host.Client;

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Accepts_a_valid_request_and_publishes_the_exact_body_with_key_and_headers(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions());
        var started = DateTimeOffset.UtcNow;

        using var response = await _client.PostAsync(provider, signed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
        Assert.Equal(signed.Body, record.Message.Value);
        var headers = record.Message.Headers;
        Assert.Equal(provider, RawEventHeaders.Get(headers, RawEventHeaders.Provider));
        Assert.Equal(KeySources.Document, RawEventHeaders.Get(headers, RawEventHeaders.KeySource));
        Assert.Equal("false", RawEventHeaders.Get(headers, RawEventHeaders.TestMode));
        Assert.Equal("application/json", RawEventHeaders.Get(headers, RawEventHeaders.ContentType));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", RawEventHeaders.Get(headers, RawEventHeaders.TraceParent)!);
        var receivedAt = DateTimeOffset.Parse(RawEventHeaders.Get(headers, RawEventHeaders.ReceivedAt)!, CultureInfo.InvariantCulture);
        Assert.InRange(receivedAt, started.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var eventId = RawEventHeaders.Get(headers, RawEventHeaders.EventId);
        if (signed.EventId is not null)
        {
            Assert.Equal(signed.EventId, eventId);
            Assert.Equal("provider", RawEventHeaders.Get(headers, RawEventHeaders.EventIdSource));
        }
        else
        {
            Assert.Matches("^sha256:[0-9a-f]{64}$", eventId!);
            Assert.Equal("body-hash", RawEventHeaders.Get(headers, RawEventHeaders.EventIdSource));
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(Encoding.UTF8.GetByteCount(text), response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var answer = JsonDocument.Parse(text);
        Assert.Equal(eventId, answer.RootElement.GetProperty("providerEventId").GetString());
        Assert.False(string.IsNullOrEmpty(RawEventHeaders.Get(headers, RawEventHeaders.EventType)));
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_tampered_body_with_401(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions());
        var tampered = signed.Body.ToArray();
        var at = Array.IndexOf(tampered, (byte)'_');
        tampered[at] = (byte)'-';

        using var response = await _client.PostWebhookAsync(provider, tampered, signed.Headers);

        await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
        await AssertNeverPublishedAsync(provider, signed.DocumentToken);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_wrong_secret_with_401(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { WrongSecret = true });

        using var response = await _client.PostAsync(provider, signed);

        await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
        await AssertNeverPublishedAsync(provider, signed.DocumentToken);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_missing_signature_header_with_401(string provider)
    {
        var @case = ProviderCase.Get(provider);
        var signed = @case.Create(new SignOptions());
        var headers = new Dictionary<string, string>(signed.Headers);
        headers.Remove(@case.SignatureHeader);

        using var response = await _client.PostWebhookAsync(provider, signed.Body, headers);

        await AssertUnauthorizedAsync(response, "signature_missing", signed);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_malformed_signature_header_with_401(string provider)
    {
        var @case = ProviderCase.Get(provider);
        var signed = @case.Create(new SignOptions());
        var headers = new Dictionary<string, string>(signed.Headers) { [@case.SignatureHeader] = @case.MalformedSignature };

        using var response = await _client.PostWebhookAsync(provider, signed.Body, headers);

        await AssertUnauthorizedAsync(response, "signature_malformed", signed);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.NamesWithTimestamps), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_stale_timestamp_with_401(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { Timestamp = DateTimeOffset.UtcNow.AddMinutes(-6) });

        using var response = await _client.PostAsync(provider, signed);

        await AssertUnauthorizedAsync(response, "timestamp_stale", signed);
        await AssertNeverPublishedAsync(provider, signed.DocumentToken);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.NamesWithTimestamps), MemberType = typeof(ProviderCase))]
    public async Task Rejects_a_future_timestamp_with_401(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { Timestamp = DateTimeOffset.UtcNow.AddMinutes(6) });

        using var response = await _client.PostAsync(provider, signed);

        await AssertUnauthorizedAsync(response, "timestamp_in_future", signed);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.NamesWithTimestamps), MemberType = typeof(ProviderCase))]
    public async Task Accepts_a_timestamp_within_the_tolerance(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { Timestamp = DateTimeOffset.UtcNow.AddMinutes(-4) });

        using var response = await _client.PostAsync(provider, signed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Accepts_the_rotated_second_secret(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { SecretIndex = 1 });

        using var response = await _client.PostAsync(provider, signed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
    }

    [Theory]
    [MemberData(nameof(ProviderCase.Names), MemberType = typeof(ProviderCase))]
    public async Task Carries_test_mode_to_the_kafka_header(string provider)
    {
        var signed = ProviderCase.Get(provider).Create(new SignOptions { TestMode = true });

        using var response = await _client.PostAsync(provider, signed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
        Assert.Equal("true", RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.TestMode));
    }

    [Fact]
    public async Task Answers_the_inkless_handshake_with_the_token_as_text_plain_and_publishes_nothing()
    {
        var token = "vs_" + Guid.NewGuid().ToString("N");
        var body = Encoding.UTF8.GetBytes($$"""{ "verification_secret": "{{token}}", "provider": "inkless", "webhook_id": 42, "timestamp": "2026-03-11T23:25:31Z"}""");

        using var response = await _client.PostWebhookAsync("inkless", body, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(token, await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(fixture.Records.Records, r => Encoding.UTF8.GetString(r.Message.Value).Contains(token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("inscribe")]
    [InlineData("insigner")]
    [InlineData("instnt")]
    [InlineData("generic")]
    public async Task Providers_without_a_handshake_do_not_echo_unsigned_verification_bodies(string provider)
    {
        var body = Encoding.UTF8.GetBytes("""{"verification_secret":"echo-me"}""");

        using var response = await _client.PostWebhookAsync(provider, body, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("echo-me", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standard_webhooks_accepts_a_header_with_several_signatures_when_one_is_valid()
    {
        var signed = ProviderCase.Get("generic").Create(new SignOptions());
        var valid = signed.Headers["webhook-signature"];
        var bogus = "v1," + Convert.ToBase64String(new byte[32]);
        var headers = new Dictionary<string, string>(signed.Headers) { ["webhook-signature"] = $"{bogus} v1a,c29tZXRoaW5n {valid} v2,eHl6" };

        using var response = await _client.PostWebhookAsync("generic", signed.Body, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
    }

    [Fact]
    public async Task Standard_webhooks_rejects_a_header_whose_several_signatures_are_all_wrong()
    {
        var signed = ProviderCase.Get("generic").Create(new SignOptions());
        var other = ProviderCase.Get("generic").Create(new SignOptions { WrongSecret = true }).Headers["webhook-signature"];
        var headers = new Dictionary<string, string>(signed.Headers) { ["webhook-signature"] = $"v1,{Convert.ToBase64String(new byte[32])} {other}" };

        using var response = await _client.PostWebhookAsync("generic", signed.Body, headers);

        await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
    }

    [Fact]
    public async Task Standard_webhooks_rejects_a_signature_made_for_another_message_id()
    {
        var signed = ProviderCase.Get("generic").Create(new SignOptions());
        var headers = new Dictionary<string, string>(signed.Headers) { ["webhook-id"] = "msg_replayed" };

        using var response = await _client.PostWebhookAsync("generic", signed.Body, headers);

        await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
    }

    [Theory]
    [InlineData("openssl-body")]
    [InlineData("openssl-digest")]
    [InlineData("node-sample-digest")]
    [InlineData("node-body")]
    public async Task Instnt_accepts_a_signature_under_either_reading_of_its_doc_with_every_configured_key(string reading)
    {
        var instnt = ProviderCase.Get("instnt");
        foreach (var (key, index) in new[] { (ExternalSigner.RsaPrimary, 0), (ExternalSigner.RsaSecondary, 1) })
        {
            var signed = instnt.Create(new SignOptions { SecretIndex = index });
            var signature = reading switch
            {
                "openssl-body" => key.Sign(signed.Body),
                "openssl-digest" => key.SignDigest(signed.Body),
                "node-sample-digest" => key.SignWithNode("digest", signed.Body),
                _ => key.SignWithNode("body", signed.Body),
            };

            using var response = await _client.PostWebhookAsync("instnt", signed.Body, new Dictionary<string, string> { ["Instnt-Signature"] = signature });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
        }
    }

    [Fact]
    public async Task Instnt_rejects_a_digest_reading_signature_over_another_body()
    {
        var signed = ProviderCase.Get("instnt").Create(new SignOptions());
        var other = ProviderCase.Get("instnt").Create(new SignOptions());

        using var response = await _client.PostWebhookAsync("instnt", signed.Body, new Dictionary<string, string> { ["Instnt-Signature"] = ExternalSigner.RsaPrimary.SignWithNode("digest", other.Body) });

        await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
        await AssertNeverPublishedAsync("instnt", signed.DocumentToken);
    }

    [Fact]
    public async Task InSigner_rejects_a_signature_over_timestamp_and_body_and_a_missing_timestamp()
    {
        var signed = ProviderCase.Get("insigner").Create(new SignOptions());
        var timestamp = signed.Headers["X-InSigner-Timestamp"];
        var secret = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
        var timestampBound = new Dictionary<string, string>(signed.Headers)
        {
            ["X-InSigner-Signature"] = "sha256=" + ExternalSigner.HmacText(secret, ExternalSigner.Concat(ExternalSigner.Utf8(timestamp + "."), signed.Body), hex: true),
        };
        using (var response = await _client.PostWebhookAsync("insigner", signed.Body, timestampBound))
        {
            await AssertUnauthorizedAsync(response, "signature_mismatch", signed);
        }

        var noTimestamp = new Dictionary<string, string>(signed.Headers);
        noTimestamp.Remove("X-InSigner-Timestamp");
        using (var response = await _client.PostWebhookAsync("insigner", signed.Body, noTimestamp))
        {
            await AssertUnauthorizedAsync(response, "timestamp_missing", signed);
        }

        await AssertNeverPublishedAsync("insigner", signed.DocumentToken);
    }

    [Fact]
    public async Task Rejects_an_unsupported_inkless_algorithm()
    {
        var signed = ProviderCase.Get("inkless").Create(new SignOptions());
        var headers = new Dictionary<string, string>(signed.Headers) { ["X-Inkless-Alg"] = "MD5" };

        using var response = await _client.PostWebhookAsync("inkless", signed.Body, headers);

        await AssertUnauthorizedAsync(response, "algorithm_unsupported", signed);
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string code, SignedRequest signed)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        // Echoes nothing: no signature, no body content.
        foreach (var value in signed.Headers.Values.Where(v => v.Length > 12))
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(signed.DocumentToken, text, StringComparison.Ordinal);
    }

    /// <summary>Sends a valid request afterwards and waits for it, then checks the rejected token never arrived.</summary>
    private async Task AssertNeverPublishedAsync(string provider, string rejectedToken)
    {
        var sentinel = ProviderCase.Get(provider).Create(new SignOptions());
        using var response = await _client.PostAsync(provider, sentinel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Records.WaitForKeyAsync(sentinel.DocumentToken);
        Assert.DoesNotContain(fixture.Records.Records, r => r.Message.Key == rejectedToken);
    }
}
