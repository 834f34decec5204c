using System.Globalization;
using System.Text;
using Streaming.Cli.Sending;

namespace Streaming.Chaos;

internal sealed record ChaosSettings(string Repo, double Seconds, double Rate, double FaultInterval, int MinFaultsPerKind, int Seed, string Work, int Partitions, FaultKind[] Faults, string GroupProtocol);

/// <summary>One chaos run: start the pipeline, send under faults, let it settle, reconcile, print the summary.</summary>
internal static class ChaosRun
{
    /// <summary>How long, after the load stops, the sender keeps retrying what was not yet acknowledged.</summary>
    private static readonly TimeSpan RetryGrace = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(ChaosSettings settings)
    {
        Directory.CreateDirectory(settings.Work);
        var log = Console.Out;
        log.WriteLine(FormattableString.Invariant($"chaos run: {settings.Seconds:0} s at {settings.Rate:0} webhooks/s, a fault every {settings.FaultInterval:0.#} s, seed {settings.Seed}; logs in {settings.Work}"));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        await using var pipeline = await Pipeline.StartAsync(settings.Repo, settings.Work, settings.Partitions, settings.Rate, settings.GroupProtocol, log, stop.Token);
        var ledger = new Ledger();
        var model = new VendorModel(new ProviderSigner(), settings.Seed);
        using var sender = new VendorSender(pipeline.IngressUrl, model, ledger, settings.Seed);
        var faults = new FaultSchedule(pipeline, settings.Faults, settings.Seed, log);

        var load = TimeSpan.FromSeconds(settings.Seconds);
        var startedAt = pipeline.Clock.Elapsed;
        var retryDeadline = DateTimeOffset.UtcNow + load + RetryGrace;
        using var faultsStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var faultTask = faults.RunAsync(TimeSpan.FromSeconds(settings.FaultInterval), startedAt + load - TimeSpan.FromSeconds(3), pipeline.Clock, faultsStop.Token);
        var sending = await sender.RunAsync(settings.Rate, load, retryDeadline, tamperedShare: 0.005, stop.Token);
        try
        {
            await faultTask;
        }
        catch (OperationCanceledException)
        {
        }

        // Every fault healed before the books are closed: the broker clean, the store up, every service running.
        await pipeline.BrokerControlAsync("clear");
        try
        {
            pipeline.Postgres.Restart();
        }
        catch (InvalidOperationException)
        {
            // Already running.
        }

        foreach (var service in pipeline.Services)
        {
            service.Start();
            await service.WaitReadyAsync(pipeline.Http, TimeSpan.FromSeconds(60), stop.Token);
        }

        log.WriteLine("load done; reconciling...");
        var result = await new Reconciliation(pipeline, ledger, settings.Partitions, log).RunAsync(TimeSpan.FromSeconds(180), stop.Token);
        var summary = Summary(settings, ledger, faults, pipeline, result, sending, out var passed);
        log.Write(summary);
        File.WriteAllText(Path.Combine(settings.Work, "summary.md"), summary);
        return passed ? 0 : 1;
    }

    private static string Summary(ChaosSettings settings, Ledger ledger, FaultSchedule faults, Pipeline pipeline, ReconciliationResult r, TimeSpan sending, out bool passed)
    {
        var kinds = settings.Faults;
        var fewFaults = kinds.Where(k => faults.Injected.GetValueOrDefault(k) < settings.MinFaultsPerKind).ToList();
        passed = r.Passed && ledger.Failures.IsEmpty && ledger.TamperedRejected == ledger.TamperedSent && fewFaults.Count == 0;
        var held = ledger.DispatchedDuringLoad / sending.TotalSeconds;
        var s = new StringBuilder();
        void Row(string what, string value) => s.Append(CultureInfo.InvariantCulture, $"| {what} | {value} |\n");
        s.Append('\n').Append(CultureInfo.InvariantCulture, $"Chaos run: {settings.Seconds:0} s of load at {settings.Rate:0} webhooks/s, seed {settings.Seed}\n\n");
        s.Append("| | |\n|---|---|\n");
        Row("load held", FormattableString.Invariant($"{ledger.DispatchedDuringLoad:N0} deliveries in {sending.TotalSeconds:0.0} s = {held:0.0}/s (target {settings.Rate:0}/s); {ledger.FirstAttempts:N0} deliveries in all, {ledger.Attempts:N0} requests with retries"));
        Row("documents", FormattableString.Invariant($"{ledger.Documents.Count:N0} (5 providers; {ledger.Documents.Values.Count(d => d.OutOfOrder):N0} with an out-of-order delivery, {ledger.Documents.Values.Sum(d => d.Duplicates):N0} provider retries of a delivered event)"));
        Row("faults injected", string.Join(", ", kinds.Select(k => $"{k} {faults.Injected.GetValueOrDefault(k)}")) + FormattableString.Invariant($" (total {faults.Injected.Values.Sum()})"));
        Row("unplanned exits (restarted)", string.Join(", ", pipeline.Services.Select(p => $"{p.Name} {p.UnexpectedExits}")));
        Row("accepted (2xx)", FormattableString.Invariant($"{ledger.Accepted:N0} deliveries, {r.AcknowledgedEvents:N0} distinct events of {r.Documents:N0} documents"));
        Row("503 then retried to 2xx", FormattableString.Invariant($"{ledger.Retried503:N0} deliveries ({ledger.Answers503:N0} answers 503)"));
        Row("other retries", FormattableString.Invariant($"429: {ledger.Answers429:N0}, timeouts: {ledger.Timeouts:N0}, connection refused/reset: {ledger.ConnectionErrors:N0}, other 5xx: {ledger.OtherServerErrors:N0}, gave up: {ledger.GaveUp:N0}"));
        Row("tampered requests", FormattableString.Invariant($"{ledger.TamperedSent:N0} sent, {ledger.TamperedRejected:N0} refused with 401, {r.TamperedFound} found anywhere"));
        Row("status history (gRPC)", FormattableString.Invariant($"lost {r.LostFromHistory}, more than once {r.DuplicatedInHistory}, unacknowledged ids {r.UnacknowledgedInHistory}; caught up {r.CatchUp.TotalSeconds:0} s after the load"));
        Row("documents.events.v1 (read_committed)", FormattableString.Invariant($"committed exactly once {r.CommittedOnce:N0}, committed twice or more {r.DuplicatedCommitted}, absent {r.LostFromStream}; {r.Markers:N0} transaction markers"));
        Row("aborted-transaction records seen by read_committed", FormattableString.Invariant($"{r.AbortedCopies:N0} aborted, {r.NeverEndedCopies:N0} of transactions never ended (killed); events carried only by such records: {r.OnlyInUncommitted:N0}"));
        Row("final status = model", FormattableString.Invariant($"{r.Documents - r.StatusMismatches:N0} of {r.Documents:N0} documents (mismatches {r.StatusMismatches})"));
        Row("dead letters", r.DeadLetters.ToString(CultureInfo.InvariantCulture));
        Row("**lost**", $"**{r.Lost}**");
        Row("**duplicated**", $"**{r.Duplicated}**");
        s.Append('\n');
        foreach (var example in r.Examples)
        {
            s.Append("  ").Append(example).Append('\n');
        }

        foreach (var failure in ledger.Failures.Take(20))
        {
            s.Append("  sender: ").Append(failure).Append('\n');
        }

        if (fewFaults.Count > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $"  fewer than {settings.MinFaultsPerKind} faults of: {string.Join(", ", fewFaults)}\n");
        }

        s.Append(passed ? "RESULT PASS: every acknowledged webhook exactly once, nothing tampered anywhere\n" : "RESULT FAIL\n");
        return s.ToString();
    }
}
