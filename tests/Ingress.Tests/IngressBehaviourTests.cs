using System.Net;
using System.Text;
using System.Text.Json;
using Streaming.Kafka;

namespace Streaming.Ingress.Tests;

// Limits, keys, ids, trace context and logging on the shared ingress.
[Collection(IngressCollection.Name)]
public sealed class IngressBehaviourTests(IngressFixture fixture)
{
    private readonly HttpClient _client = fixture.Host.Client;

    [Fact]
    public async Task Unknown_provider_gets_404_problem()
    {
        using var response = await _client.PostWebhookAsync("nosuchvendor", Encoding.UTF8.GetBytes("{}"), new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_on_a_webhook_path_get_405_problem_with_allow_post(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/webhooks/inkless");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("method_not_allowed", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_by_content_length()
    {
        var body = new byte[1024 * 1024 + 1];

        using var response = await _client.PostWebhookAsync("inkless", body, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_413()
    {
        var content = new StreamContent(new MemoryStream(new byte[1024 * 1024 + 10]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/inkless") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_body_at_the_limit_is_accepted()
    {
        // Inkless signs the raw body: pad a valid payload with whitespace up to exactly 1 MiB.
        var json = Encoding.UTF8.GetBytes($$"""{"event":"link_viewed","document_token":"doc_limit_{{Guid.NewGuid():N}}","secure_link_id":1}""");
        var body = new byte[1024 * 1024];
        Array.Fill(body, (byte)' ');
        json.CopyTo(body, 0);
        var headers = new Dictionary<string, string>
        {
            ["X-Inkless-Signature"] = ExternalSigner.HmacText("inkless-webhook-secret", body, hex: false),
        };

        using var response = await _client.PostWebhookAsync("inkless", body, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_request_without_a_document_token_uses_the_correlation_id()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":"cus_{{Guid.NewGuid():N}}","approval_status":"APPROVED"}""");
        var customer = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var headers = new Dictionary<string, string> { ["X-INSCRIBE-SIGNATURE"] = ExternalSigner.HmacText("inscribe-secret-one", body, hex: true) };

        using var response = await _client.PostWebhookAsync("inscribe", body, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await fixture.Records.WaitForKeyAsync(customer);
        Assert.Equal(KeySources.Correlation, RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.KeySource));
        Assert.Equal("customer.approval_status_changed", RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.EventType));
    }

    [Theory]
    [InlineData("""{"event":"document_signed","timestamp":"2026-03-11T23:25:31Z"}""")]
    [InlineData("this is not json at all")]
    public async Task A_signed_request_without_any_key_is_still_published_with_a_flagged_fallback_key(string text)
    {
        var body = Encoding.UTF8.GetBytes(text + " " + Guid.NewGuid().ToString("N"));
        var headers = new Dictionary<string, string> { ["X-Inkless-Signature"] = ExternalSigner.HmacText("inkless-webhook-secret", body, hex: false) };

        using var response = await _client.PostWebhookAsync("inkless", body, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var eventId = answer.RootElement.GetProperty("providerEventId").GetString()!;
        Assert.Equal(KeySources.Fallback, answer.RootElement.GetProperty("keySource").GetString());
        var record = await fixture.Records.WaitForKeyAsync(eventId);
        Assert.Equal(body, record.Message.Value);
        Assert.Equal(KeySources.Fallback, RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.KeySource));
    }

    [Fact]
    public async Task The_same_body_retried_gets_the_same_derived_event_id()
    {
        var signed = ProviderCase.Get("inkless").Create(new SignOptions());

        using var first = await _client.PostAsync("inkless", signed);
        using var second = await _client.PostAsync("inkless", signed);

        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("providerEventId").GetString();
        var secondId = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("providerEventId").GetString();
        Assert.Equal(firstId, secondId);
        Assert.StartsWith("sha256:", firstId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_trace_context_is_continued_on_the_record()
    {
        var signed = ProviderCase.Get("inscribe").Create(new SignOptions());
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var headers = new Dictionary<string, string>(signed.Headers)
        {
            ["traceparent"] = $"00-{traceId}-00f067aa0ba902b7-01",
            ["tracestate"] = "vendor=abc",
        };

        using var response = await _client.PostWebhookAsync("inscribe", signed.Body, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await fixture.Records.WaitForKeyAsync(signed.DocumentToken);
        var traceParent = RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.TraceParent)!;
        Assert.StartsWith($"00-{traceId}-", traceParent, StringComparison.Ordinal);
        Assert.DoesNotContain("00f067aa0ba902b7", traceParent, StringComparison.Ordinal);
        Assert.Equal("vendor=abc", RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.TraceState));
    }

    [Fact]
    public async Task Logs_never_contain_secrets_signatures_or_bodies()
    {
        var cases = ProviderCase.All.Select(c => (c, c.Create(new SignOptions()))).ToList();
        foreach (var (@case, signed) in cases)
        {
            (await _client.PostAsync(@case.Name, signed)).Dispose();
            var tampered = signed.Body.Append((byte)' ').ToArray();
            (await _client.PostWebhookAsync(@case.Name, tampered, signed.Headers)).Dispose();
        }

        var logs = string.Join("\n", fixture.Host.Logs.Lines);
        Assert.Contains("signature_mismatch", logs, StringComparison.Ordinal);
        var forbidden = ProviderCase.All.SelectMany(c => c.Settings).Select(s => s.Value)
            .Concat(cases.SelectMany(c => c.Item2.Headers.Values).Where(v => v.Length > 20))
            .Concat(cases.Select(c => Encoding.UTF8.GetString(c.Item2.Body)))
            .Concat(cases.Select(c => c.Item2.DocumentToken));
        foreach (var value in forbidden)
        {
            Assert.DoesNotContain(value, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_200_when_kafka_is_reachable()
    {
        using var live = await _client.GetAsync("/health/live");
        using var ready = await _client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
