using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Streaming.Cli.Stats;

namespace Streaming.Cli.Tests;

/// <summary>
/// Not in parallel with the other tests: the refresh test checks a per-second rate against the wall clock (4 webhooks
/// between scrapes a second apart), which a second of CPU contention from a parallel test bends (seen: 2.4/s).
/// </summary>
[CollectionDefinition(nameof(StatsTests), DisableParallelization = true)]
public sealed class StatsTestsCollection;

[Collection(nameof(StatsTests))]
public sealed class StatsTests
{
    // As OpenTelemetry's Prometheus exporter writes it (labels in any order, escapes, +Inf buckets, a target_info line).
    private const string Scrape = """
        # TYPE target_info gauge
        target_info{service_name="streaming-platform"} 1
        # TYPE streaming_ingress_webhooks_received_total counter
        streaming_ingress_webhooks_received_total{otel_scope_name="Streaming.Ingress",provider="inkless"} 7 1700000000000
        streaming_ingress_webhooks_received_total{otel_scope_name="Streaming.Ingress",provider="generic"} 3
        streaming_ingress_webhooks_accepted_total{otel_scope_name="Streaming.Ingress",provider="inkless"} 5
        streaming_ingress_webhooks_accepted_total{otel_scope_name="Streaming.Ingress",provider="generic"} 3
        streaming_ingress_webhooks_rejected_total{otel_scope_name="Streaming.Ingress",provider="inkless",reason="signature_mismatch"} 2
        streaming_ingress_webhooks_rejected_total{otel_scope_name="Streaming.Ingress",provider="generic",reason="timestamp_stale"} 0
        streaming_ingress_publish_duration_seconds_bucket{otel_scope_name="Streaming.Ingress",provider="inkless",outcome="stored",le="+Inf"} 5
        streaming_normalizer_records_consumed_total{otel_scope_name="Streaming.Normalizer",provider="inkless"} 8
        streaming_normalizer_events_normalized_total{otel_scope_name="Streaming.Normalizer",provider="inkless"} 6
        streaming_normalizer_events_duplicates_total{otel_scope_name="Streaming.Normalizer",provider="inkless"} 1
        streaming_normalizer_events_dead_lettered_total{otel_scope_name="Streaming.Normalizer",provider="inkless",reason="missing-document-token"} 1
        streaming_normalizer_transactions_total{otel_scope_name="Streaming.Normalizer",outcome="aborted"} 2
        streaming_normalizer_transactions_total{otel_scope_name="Streaming.Normalizer",outcome="committed"} 9
        streaming_kafka_consumer_lag{otel_scope_name="Streaming.Kafka",messaging_consumer_group_name="status",messaging_destination_name="documents.events.v1",messaging_destination_partition_id="0"} 4
        streaming_kafka_consumer_lag{otel_scope_name="Streaming.Kafka",messaging_consumer_group_name="status",messaging_destination_name="documents.events.v1",messaging_destination_partition_id="1"} 11
        streaming_status_projection_events_total{otel_scope_name="Streaming.Status",outcome="applied"} 6
        streaming_status_watchers{otel_scope_name="Streaming.Status"} 2
        odd_label{text="a \"quoted\", comma\\ value"} 1
        """;

    [Fact]
    public void Reads_the_exporters_text_format()
    {
        var samples = MetricSamples.Parse(Scrape);
        Assert.Equal(7, samples.Sum("streaming_ingress_webhooks_received_total", ("provider", "inkless")));
        Assert.Equal("a \"quoted\", comma\\ value", samples.Single(s => s.Name == "odd_label").Label("text"));
        Assert.Equal("+Inf", samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Label("le"));
    }

    [Fact]
    public void Figures_group_webhooks_by_provider_and_lag_by_consumer_group()
    {
        var figures = PipelineFigures.From(MetricSamples.Parse(Scrape));

        Assert.Equal(["generic", "inkless"], figures.Providers.Select(p => p.Provider));
        Assert.Equal(new PipelineFigures.ProviderFigures("inkless", 7, 5, 2, 0), figures.Providers[1]);
        var rejection = Assert.Single(figures.Rejections);
        Assert.Equal(("inkless", "signature_mismatch", 2L), (rejection.Provider, rejection.Reason, rejection.Value));
        Assert.Equal(new PipelineFigures.NormalizerFigures(8, 6, 1, 1, 2), figures.Normalizer);
        Assert.Equal(new PipelineFigures.LagFigures("status", "documents.events.v1", 15, 11), Assert.Single(figures.Lag));
        Assert.Equal(2, figures.Status.Watchers);
    }

    [Fact]
    public async Task Stats_once_prints_the_table_and_refreshing_shows_webhooks_per_second()
    {
        var requests = 0;
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        await using var server = builder.Build();
        server.MapGet("/metrics", () =>
        {
            // Each scrape has 4 more inkless webhooks than the one before.
            var received = 7 + (4 * (Interlocked.Increment(ref requests) - 1));
            var text = Scrape.Replace("provider=\"inkless\"} 7", $"provider=\"inkless\"}} {received}", StringComparison.Ordinal);
            return Results.Text(text, "text/plain; version=0.0.4");
        });
        await server.StartAsync();
        var metrics = server.Urls.Single() + "/metrics";

        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.InvokeAsync(["--metrics", metrics, "stats", "--once"], output, new StringWriter()));
        Assert.Matches(@"inkless\s+7\s+5\s+2\s+0\s+-", output.ToString());
        Assert.Contains("signature_mismatch", output.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"status\s+documents\.events\.v1\s+15\s+11", output.ToString());

        // Refreshing: two tables a second apart; the second has a rate for inkless (4 more in about a second).
        output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = Cli.InvokeAsync(["--metrics", metrics, "stats", "--interval", "00:00:01"], output, new StringWriter(), stop.Token);
        // The fourth scrape starts only once the third one's table is written (scrape, write, wait, scrape): stopping
        // when the third had merely reached the server could cancel it before its table was written.
        while (Volatile.Read(ref requests) < 4 && !run.IsCompleted)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run);
        Assert.Matches(@"inkless\s+11\s+5\s+2\s+0\s+-", output.ToString());
        Assert.Matches(@"inkless\s+15\s+5\s+2\s+0\s+(3\.\d|4\.0)", output.ToString());
    }

    [Fact]
    public async Task An_endpoint_that_is_not_a_metrics_endpoint_fails_with_a_clear_message()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        await using var server = builder.Build();
        await server.StartAsync();

        var error = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await Cli.InvokeAsync(["--metrics", server.Urls.Single() + "/metrics", "stats", "--once"], new StringWriter(), error));
        Assert.Contains("answered 404", error.ToString(), StringComparison.Ordinal);
    }
}
