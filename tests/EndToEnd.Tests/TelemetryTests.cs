using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenTelemetry.Trace;
using Streaming.Cli;
using Streaming.Cli.Stats;
using Streaming.Contracts.Status.V1;
using Streaming.Kafka;
using Streaming.Platform;
using Streaming.Testing;

namespace Streaming.EndToEnd.Tests;

/// <summary>What an operator sees of the running platform: one trace per webhook, exact counters, `streaming stats`.</summary>
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task One_signed_webhook_is_one_trace_from_the_ingress_request_to_the_status_projection()
    {
        var spans = new ExportedSpans();
        var configuration = PlatformHost.BuildConfiguration(
        [
            "--Platform:IngressPort=0", "--Platform:GrpcPort=0", "--Platform:SchemaRegistryPort=0", "--Platform:NormalizerPort=0", "--Platform:StatusHttpPort=0",
            "--Telemetry:Tracing=true",
        ]);
        await using var platform = await PlatformHost.StartAsync(configuration, CancellationToken.None, services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

        var token = "doc_trace_" + Guid.NewGuid().ToString("N")[..12];
        var body = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(body, $$"""{"event":"document_signed","secure_link_id":7,"document_token":"{{token}}","timestamp":"2026-01-01T00:00:00Z","test_mode":false}""");
        var error = new StringWriter();
        try
        {
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ingress", platform.Endpoints.Ingress.ToString(), "send", "--provider", "inkless", "--file", body, "--quiet"], new StringWriter(), error));
        }
        finally
        {
            File.Delete(body);
        }

        // The last hop: the status service's consumer span for this document.
        var projected = await Eventually.Until(
            () => Task.FromResult(spans.Snapshot().FirstOrDefault(s => s.OperationName == $"process {KafkaTopics.DocumentEvents}" && Tag(s, MessagingTags.MessageKey) == token)),
            Wait,
            $"the status projection span of {token}\n{error}");
        var trace = spans.Snapshot().Where(s => s.TraceId == projected.TraceId).ToList();
        Activity Parent(Activity child) => trace.SingleOrDefault(s => s.SpanId == child.ParentSpanId)
            ?? throw new Xunit.Sdk.XunitException($"{child.OperationName} has no parent in the trace: {string.Join(", ", trace.Select(s => s.OperationName))}");

        // status <- normalizer publish <- normalizer process <- ingress publish <- ingress request: one chain, one trace id.
        Assert.Equal(ActivityKind.Consumer, projected.Kind);
        Assert.Equal("kafka", Tag(projected, MessagingTags.System));
        Assert.Equal("status", Tag(projected, MessagingTags.ConsumerGroup));
        Assert.NotNull(Tag(projected, MessagingTags.PartitionId));
        Assert.NotNull(projected.GetTagItem(MessagingTags.Offset));
        Assert.Equal(ActivityStatusCode.Unset, projected.Status);

        var normalizedPublish = Parent(projected);
        Assert.Equal($"publish {KafkaTopics.DocumentEvents}", normalizedPublish.OperationName);
        Assert.Equal(ActivityKind.Producer, normalizedPublish.Kind);

        var normalizerProcess = Parent(normalizedPublish);
        Assert.Equal($"process {KafkaTopics.Raw}", normalizerProcess.OperationName);
        Assert.Equal(ActivityKind.Consumer, normalizerProcess.Kind);
        Assert.Equal("normalizer", Tag(normalizerProcess, MessagingTags.ConsumerGroup));
        Assert.Equal(token, Tag(normalizerProcess, MessagingTags.MessageKey));
        var map = Assert.Single(trace, s => s.OperationName == "map");
        Assert.Equal(normalizerProcess.SpanId, map.ParentSpanId);
        Assert.Equal("normalized", Tag(map, "streaming.outcome"));

        var rawPublish = Parent(normalizerProcess);
        Assert.Equal($"publish {KafkaTopics.Raw}", rawPublish.OperationName);
        Assert.Equal(ActivityKind.Producer, rawPublish.Kind);
        Assert.Equal("inkless", Tag(rawPublish, "streaming.provider"));
        Assert.Equal(Tag(normalizerProcess, MessagingTags.PartitionId), Tag(rawPublish, MessagingTags.PartitionId));
        Assert.Equal(normalizerProcess.GetTagItem(MessagingTags.Offset), rawPublish.GetTagItem(MessagingTags.Offset));

        var request = Parent(rawPublish);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("/webhooks/{provider}", Tag(request, "http.route"));
    }

    [Fact]
    public async Task After_a_lifecycle_and_one_tampered_request_the_scrape_endpoint_shows_the_exact_counts()
    {
        var platform = new PlatformProcess();
        try
        {
            await platform.InitializeAsync();
            await CountsAsync(platform);
        }
        finally
        {
            await platform.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_an_otlp_endpoint_the_platform_exports_traces_and_metrics_there()
    {
        // A stand-in collector: counts what arrives per signal (OTLP/HTTP, protobuf), answers 200.
        var received = new ConcurrentDictionary<string, int>();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (string signal, Microsoft.AspNetCore.Http.HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (body.Length > 0 && request.ContentType == "application/x-protobuf")
            {
                received.AddOrUpdate(signal, 1, (_, n) => n + 1);
            }

            return Microsoft.AspNetCore.Http.Results.Bytes([], "application/x-protobuf");
        });
        await collector.StartAsync();

        var platform = new PlatformProcess($"--OTEL_EXPORTER_OTLP_ENDPOINT={collector.Urls.Single()}", "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
        try
        {
            await platform.InitializeAsync();
            var error = new StringWriter();
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "send", "--provider", "generic", "--quiet"], new StringWriter(), error));

            // Spans go out in batches every few seconds; metrics every minute and when the platform stops.
            await Eventually.True(() => received.ContainsKey("traces"), Wait, $"spans at the collector\n{platform.Log}");
            await platform.StopCleanlyAsync();
            Assert.True(received.ContainsKey("metrics"), $"no metrics at the collector: {string.Join(", ", received.Keys)}\n{platform.Log}");
        }
        finally
        {
            await platform.DisposeAsync();
        }
    }

    private static async Task CountsAsync(PlatformProcess platform)
    {
        // One provider's lifecycle, as the CLI sends it (duplicates included), and one request whose body was changed after signing.
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "send", "--provider", "inkless", "--json"], output, error));
        using var summary = JsonDocument.Parse(output.ToString());
        var sent = summary.RootElement.GetProperty("sent").GetInt32();
        var distinct = summary.RootElement.GetProperty("documents").EnumerateArray().Single().GetProperty("distinctEvents").GetInt32();
        Assert.True(sent > distinct, "the lifecycle includes a provider retry");

        var signedBody = """{"event":"document_signed","secure_link_id":1,"document_token":"doc_tampered","timestamp":"2026-01-01T00:00:00Z","test_mode":false}"""u8.ToArray();
        using (var http = new HttpClient())
        using (var tampered = new HttpRequestMessage(HttpMethod.Post, new Uri(platform.Ingress, "/webhooks/inkless")))
        {
            tampered.Content = new ByteArrayContent(signedBody.Select(b => b == (byte)'1' ? (byte)'2' : b).ToArray());
            tampered.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            tampered.Headers.Add("X-Inkless-Signature", Convert.ToBase64String(HMACSHA256.HashData("dev-inkless-secret"u8, signedBody)));
            tampered.Headers.Add("X-Inkless-Alg", "SHA256");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.SendAsync(tampered)).StatusCode);
        }

        // And one signed webhook without a document token: the normalizer dead-letters it.
        var orphan = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(orphan, """{"event":"document_signed","timestamp":"2026-01-01T00:00:00Z"}""");
        try
        {
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "send", "--provider", "inkless", "--file", orphan, "--quiet"], new StringWriter(), error));
        }
        finally
        {
            File.Delete(orphan);
        }

        // One status read over gRPC (the CLI), one over the JSON face, and one watch held open.
        var token = summary.RootElement.GetProperty("documents").EnumerateArray().Single().GetProperty("token").GetString()!;
        var metrics = platform.Metrics;
        using var scraper = new HttpClient();
        await Eventually.True(async () => await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "status", token], new StringWriter(), new StringWriter()) == ExitCodes.Ok, Wait, $"{token} to be projected");
        await Eventually.True(async () => (await scraper.GetAsync(new Uri(platform.StatusHttp, $"/v1/documents/{token}"))).IsSuccessStatusCode, Wait, $"{token} over JSON");
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(platform.Grpc);
        using var watching = new CancellationTokenSource();
        using var watch = new DocumentStatusService.DocumentStatusServiceClient(channel).WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: watching.Token);
        await Eventually.True(async () => MetricSamples.Parse(await scraper.GetStringAsync(metrics)).Sum("streaming_status_watchers") == 1, Wait, "the watch to count as open");
        await watching.CancelAsync();

        var samples = await Eventually.Until(async () =>
        {
            var s = MetricSamples.Parse(await scraper.GetStringAsync(metrics));
            return s.Sum("streaming_status_projection_events_total", ("outcome", "applied")) >= distinct
                && s.Sum("streaming_normalizer_events_dead_lettered_total") >= 1
                && s.Sum("streaming_status_watchers") == 0
                && s.Count(x => x.Name == "streaming_kafka_consumer_lag") == 12
                && s.Where(x => x.Name == "streaming_kafka_consumer_lag").Sum(x => x.Value) == 0 ? s : null;
        }, Wait, $"the status service to apply {distinct} events\n{platform.Log}");

        var inkless = ("provider", "inkless");
        Assert.Equal(sent + 2, samples.Sum("streaming_ingress_webhooks_received_total", inkless));
        Assert.Equal(sent + 1, samples.Sum("streaming_ingress_webhooks_accepted_total", inkless));
        Assert.Equal(1, samples.Sum("streaming_ingress_webhooks_rejected_total", inkless, ("reason", "signature_mismatch")));
        Assert.Equal(1, samples.Sum("streaming_ingress_webhooks_rejected_total"));
        Assert.Equal(sent + 1, samples.Sum("streaming_ingress_publish_duration_seconds_count", inkless, ("outcome", "stored")));
        Assert.Equal(sent + 1, samples.Sum("streaming_normalizer_records_consumed_total", inkless));
        Assert.Equal(distinct, samples.Sum("streaming_normalizer_events_normalized_total", inkless));
        Assert.Equal(sent - distinct, samples.Sum("streaming_normalizer_events_duplicates_total", inkless));
        Assert.Equal(1, samples.Sum("streaming_normalizer_events_dead_lettered_total", inkless, ("reason", "missing-document-token")));
        Assert.Equal(1, samples.Sum("streaming_normalizer_events_dead_lettered_total"));
        Assert.Equal(0, samples.Sum("streaming_normalizer_transactions_total", ("outcome", "aborted")));
        Assert.Equal(distinct, samples.Sum("streaming_status_projection_events_total", ("outcome", "applied")));
        Assert.Equal(0, samples.Sum("streaming_status_projection_events_total", ("outcome", "duplicate")));
        Assert.Equal(0, samples.Sum("streaming_status_watchers"));
        var getStatus = ("rpc_method", "GetDocumentStatus");
        Assert.True(samples.Sum("streaming_status_api_calls_total", getStatus, ("api", "grpc"), ("rpc_grpc_status_code", "OK")) >= 1);
        Assert.True(samples.Sum("streaming_status_api_calls_total", getStatus, ("api", "json"), ("rpc_grpc_status_code", "OK")) >= 1);
        Assert.Equal(1, samples.Sum("streaming_status_api_calls_total", ("rpc_method", "WatchDocumentStatus")));
        // Both consumer groups report every partition they own (6 each on the platform).
        Assert.Equal(6, samples.Count(s => s.Name == "streaming_kafka_consumer_lag" && s.Label("messaging_consumer_group_name") == "normalizer"));
        Assert.Equal(6, samples.Count(s => s.Name == "streaming_kafka_consumer_lag" && s.Label("messaging_consumer_group_name") == "status"));

        // Everything the Grafana dashboard and the alert rules in k8s/observability ask for is in this scrape.
        var scraped = samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var observability = Path.Combine(RepoRoot, "k8s", "observability");
        var asked = OwnMetric().Matches(File.ReadAllText(Path.Combine(observability, "grafana-dashboard.json")) + File.ReadAllText(Path.Combine(observability, "alerts.rules.yaml")))
            .Select(m => m.Value).Append("http_server_request_duration_seconds_count").ToHashSet(StringComparer.Ordinal);
        Assert.True(asked.Count > 10, string.Join(", ", asked));
        var missing = asked.Where(name => !scraped.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"asked for but not scraped: {string.Join(", ", missing)}");

        // `streaming stats --once` reads the same endpoint through the platform's discovery (here its ready file).
        var stats = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "stats", "--once", "--json"], stats, error));
        using var figures = JsonDocument.Parse(stats.ToString());
        var provider = figures.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "inkless");
        Assert.Equal(sent + 2, provider.GetProperty("received").GetInt64());
        Assert.Equal(sent + 1, provider.GetProperty("accepted").GetInt64());
        Assert.Equal(1, provider.GetProperty("rejected").GetInt64());
        var rejection = Assert.Single(figures.RootElement.GetProperty("rejections").EnumerateArray());
        Assert.Equal("signature_mismatch", rejection.GetProperty("reason").GetString());
        Assert.Equal(distinct, figures.RootElement.GetProperty("normalizer").GetProperty("normalized").GetInt64());
        Assert.Equal(distinct, figures.RootElement.GetProperty("status").GetProperty("applied").GetInt64());
        Assert.Equal(["normalizer", "status"], figures.RootElement.GetProperty("lag").EnumerateArray().Select(l => l.GetProperty("group").GetString()));

        var table = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", platform.ReadyFile, "stats", "--once"], table, error));
        Assert.Contains("signature_mismatch", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("missing-document-token", table.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"inkless\s+" + (sent + 2) + @"\s+" + (sent + 1) + @"\s+1\s+0\s+-", table.ToString());
    }

    private static string RepoRoot => typeof(TelemetryTests).Assembly.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    [System.Text.RegularExpressions.GeneratedRegex(@"\bstreaming_[a-z0-9_]+")]
    private static partial System.Text.RegularExpressions.Regex OwnMetric();

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    /// <summary>The in-memory exporter's target: spans end on several threads at once.</summary>
    private sealed class ExportedSpans : Collection<Activity>
    {
        private readonly Lock _lock = new();

        public List<Activity> Snapshot()
        {
            lock (_lock)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
