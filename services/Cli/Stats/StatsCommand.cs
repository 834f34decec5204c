using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Streaming.Cli.Stats;

/// <summary>
/// `stats`: the pipeline's live figures from a /metrics endpoint (by default the running embedded platform's, which
/// serves the whole process): webhooks per provider and per second, rejections by reason, the normalizer's in, out,
/// duplicates and DLQ, consumer lag per group, the status projection and its watchers. Refreshes until Ctrl+C.
/// </summary>
public static class StatsCommand
{
    private static readonly Option<bool> OnceOption = new("--once") { Description = "Print the figures once and exit (for scripts)" };

    private static readonly Option<bool> JsonOption = new("--json") { Description = "With --once: the figures as one JSON object" };

    private static readonly Option<TimeSpan> IntervalOption = new("--interval")
    {
        Description = "Time between refreshes",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(2),
    };

    public static Command Create()
    {
        var command = new Command("stats", "Live pipeline figures from the metrics endpoint: webhooks/s per provider, rejections, normalizer in/out/DLQ, consumer lag, watchers")
        {
            OnceOption, JsonOption, IntervalOption,
        };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var url = Endpoints.MetricsUrl(r);
            var interval = r.GetValue(IntervalOption);
            if (interval <= TimeSpan.Zero)
            {
                throw new CliException(ExitCodes.Usage, "--interval must be positive, e.g. 2s or 00:00:02");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            if (r.GetValue(OnceOption))
            {
                var figures = PipelineFigures.From(await ScrapeAsync(http, url, cancellationToken));
                await output.WriteAsync(r.GetValue(JsonOption) ? figures.ToJson() + "\n" : figures.Render(url, null, null));
                return ExitCodes.Ok;
            }

            if (r.GetValue(JsonOption))
            {
                throw new CliException(ExitCodes.Usage, "--json goes with --once");
            }

            // A terminal gets the table redrawn in place; a pipe gets one table after another.
            var redraw = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            PipelineFigures? previous = null;
            var previousAt = 0L;
            while (!cancellationToken.IsCancellationRequested)
            {
                var figures = PipelineFigures.From(await ScrapeAsync(http, url, cancellationToken));
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                var text = figures.Render(url, previous, previous is null ? null : System.Diagnostics.Stopwatch.GetElapsedTime(previousAt, now));
                await output.WriteAsync(redraw ? "\u001b[H\u001b[2J" + text : text + "\n");
                previous = figures;
                previousAt = now;
                await Task.Delay(interval, cancellationToken);
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static async Task<List<MetricSample>> ScrapeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException(ExitCodes.Failed, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase} (is it a service's /metrics endpoint, and is Telemetry:Enabled on?)");
        }

        return MetricSamples.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }
}

/// <summary>The figures `stats` shows, read from one scrape.</summary>
public sealed record PipelineFigures(
    IReadOnlyList<PipelineFigures.ProviderFigures> Providers,
    IReadOnlyList<PipelineFigures.Count> Rejections,
    PipelineFigures.NormalizerFigures Normalizer,
    IReadOnlyList<PipelineFigures.Count> DeadLetters,
    IReadOnlyList<PipelineFigures.LagFigures> Lag,
    PipelineFigures.StatusFigures Status)
{
    public sealed record ProviderFigures(string Provider, long Received, long Accepted, long Rejected, long Handshakes);

    public sealed record Count(string Provider, string Reason, long Value);

    public sealed record NormalizerFigures(long Consumed, long Normalized, long Duplicates, long DeadLettered, long Aborts);

    public sealed record LagFigures(string Group, string Topic, long Total, long MaxPartition);

    public sealed record StatusFigures(long Applied, long Duplicates, long DeadLettered, long Watchers, long StoreErrors);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static PipelineFigures From(IReadOnlyList<MetricSample> samples)
    {
        long Total(string name, params (string, string)[] where) => (long)samples.Sum(name, where);

        var providers = samples.Where(s => s.Name.StartsWith("streaming_ingress_webhooks_", StringComparison.Ordinal))
            .Select(s => s.Label("provider")).Where(p => p.Length > 0).Distinct().Order(StringComparer.Ordinal)
            .Select(p => new ProviderFigures(
                p,
                Total("streaming_ingress_webhooks_received_total", ("provider", p)),
                Total("streaming_ingress_webhooks_accepted_total", ("provider", p)),
                Total("streaming_ingress_webhooks_rejected_total", ("provider", p)),
                Total("streaming_ingress_webhooks_handshakes_total", ("provider", p))))
            .ToList();
        var rejections = samples.Where(s => s.Name == "streaming_ingress_webhooks_rejected_total" && s.Value > 0)
            .Select(s => new Count(s.Label("provider"), s.Label("reason"), (long)s.Value))
            .OrderBy(c => c.Provider, StringComparer.Ordinal).ThenBy(c => c.Reason, StringComparer.Ordinal).ToList();
        var deadLetters = samples.Where(s => s.Name == "streaming_normalizer_events_dead_lettered_total" && s.Value > 0)
            .Select(s => new Count(s.Label("provider"), s.Label("reason"), (long)s.Value))
            .OrderBy(c => c.Reason, StringComparer.Ordinal).ThenBy(c => c.Provider, StringComparer.Ordinal).ToList();
        var lag = samples.Where(s => s.Name == "streaming_kafka_consumer_lag")
            .GroupBy(s => (Group: s.Label("messaging_consumer_group_name"), Topic: s.Label("messaging_destination_name")))
            .Select(g => new LagFigures(g.Key.Group, g.Key.Topic, (long)g.Sum(s => s.Value), (long)g.Max(s => s.Value)))
            .OrderBy(l => l.Group, StringComparer.Ordinal).ToList();
        return new PipelineFigures(
            providers,
            rejections,
            new NormalizerFigures(
                Total("streaming_normalizer_records_consumed_total"),
                Total("streaming_normalizer_events_normalized_total"),
                Total("streaming_normalizer_events_duplicates_total"),
                Total("streaming_normalizer_events_dead_lettered_total"),
                Total("streaming_normalizer_transactions_total", ("outcome", "aborted"))),
            deadLetters,
            lag,
            new StatusFigures(
                Total("streaming_status_projection_events_total", ("outcome", "applied")),
                Total("streaming_status_projection_events_total", ("outcome", "duplicate")),
                Total("streaming_status_projection_events_total", ("outcome", "dead_lettered")),
                Total("streaming_status_watchers"),
                Total("streaming_status_store_errors_total")));
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The table; with a previous scrape, webhooks per second over the time between them.</summary>
    public string Render(Uri source, PipelineFigures? previous, TimeSpan? elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"streaming stats  {source}  {DateTime.UtcNow:HH:mm:ss}Z");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"WEBHOOKS",-12}{"received",10}{"accepted",10}{"rejected",10}{"handshakes",12}{"per s",8}");
        foreach (var p in Providers)
        {
            var before = previous?.Providers.FirstOrDefault(x => x.Provider == p.Provider);
            var rate = elapsed is { TotalSeconds: > 0 } e ? ((p.Received - (before?.Received ?? 0)) / e.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {p.Provider,-10}{p.Received,10}{p.Accepted,10}{p.Rejected,10}{p.Handshakes,12}{rate,8}");
        }

        if (Providers.Count == 0)
        {
            text.AppendLine("  (none yet)");
        }

        foreach (var r in Rejections)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  rejected  {r.Provider,-10} {r.Reason,-24}{r.Value,8}");
        }

        text.AppendLine();
        var n = Normalizer;
        text.AppendLine(CultureInfo.InvariantCulture, $"{"NORMALIZER",-12}{"in",10}{"out",10}{"duplicates",12}{"dlq",8}{"aborts",8}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"",-12}{n.Consumed,10}{n.Normalized,10}{n.Duplicates,12}{n.DeadLettered,8}{n.Aborts,8}");
        foreach (var d in DeadLetters)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  dlq       {d.Provider,-10} {d.Reason,-24}{d.Value,8}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"LAG",-12}{"group",-14}{"topic",-24}{"total",8}{"worst partition",17}");
        foreach (var l in Lag)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{"",-12}{l.Group,-14}{l.Topic,-24}{l.Total,8}{l.MaxPartition,17}");
        }

        if (Lag.Count == 0)
        {
            text.AppendLine("  (no consumer reports yet)");
        }

        text.AppendLine();
        var s = Status;
        text.AppendLine(CultureInfo.InvariantCulture, $"{"STATUS",-12}{"applied",10}{"duplicates",12}{"dlq",8}{"store errors",14}{"watchers",10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"",-12}{s.Applied,10}{s.Duplicates,12}{s.DeadLettered,8}{s.StoreErrors,14}{s.Watchers,10}");
        return text.ToString();
    }
}
