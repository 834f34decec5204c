using Grpc.Core;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Streaming.Cli.Sending;
using Streaming.Contracts.Status.V1;
using Grpc.Net.Client;

// Usage: E2E.Bench READY_FILE [rate=1000] [seconds=60] [warmup-seconds=5]
// Sends `rate` single-event documents per second (open loop, round robin over the five providers) to the
// platform's ingress while watching every document over gRPC, and measures, per document, the time from
// the ingress's 2xx to the watcher's notification of its change. Prints one JSON line with the result.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: E2E.Bench READY_FILE [rate] [seconds] [warmup-seconds]");
    return 1;
}

using var ready = JsonDocument.Parse(File.ReadAllBytes(args[0]));
var ingress = new Uri(ready.RootElement.GetProperty("ingress").GetString()!);
var grpc = new Uri(ready.RootElement.GetProperty("grpc").GetString()!);
var rate = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 60;
var warmup = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 5;

var acked = new ConcurrentDictionary<string, long>();
var notified = new ConcurrentDictionary<string, long>();
using var channel = GrpcChannel.ForAddress(grpc);
using var stopWatching = new CancellationTokenSource();
var watcherDrops = 0;
var watcher = Task.Run(async () =>
{
    while (!stopWatching.IsCancellationRequested)
    {
        try
        {
            await foreach (var change in new DocumentStatusService.DocumentStatusServiceClient(channel).WatchDocumentStatusAsync(new WatchDocumentStatusRequest(), cancellationToken: stopWatching.Token))
            {
                notified.TryAdd(change.Document.DocumentToken, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (stopWatching.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            // The service dropped this watcher for falling behind: the changes in between are missed (counted as
            // missing below); watch again, as a client would.
            Interlocked.Increment(ref watcherDrops);
            Console.Error.WriteLine($"watcher dropped: {e.Status.Detail}");
        }
    }
});

// Every webhook built and signed before the first is sent (the providers' signatures, RSA for Instnt, would
// otherwise cost the generator a third of its CPU on the cores the platform uses). The ingress accepts a timestamped
// signature for 5 minutes, so a longer run signs each webhook as it sends it.
var warmCount = (int)(rate * warmup);
var count = (int)(rate * seconds);
var run = Guid.NewGuid().ToString("N")[..8];
Func<int, WebhookDelivery> delivery;
if (warmup + seconds <= 240)
{
    var deliveries = new WebhookDelivery[warmCount + count];
    Parallel.For(0, deliveries.Length, () => new ProviderSigner(), (i, _, signer) =>
    {
        var built = SendCommand.BulkDelivery(signer, ProviderSigner.Providers, run, i);
        var headers = built.Sign();
        deliveries[i] = built with { Sign = () => headers };
        return signer;
    }, _ => { });
    delivery = i => deliveries[i];
}
else
{
    Console.Error.WriteLine("longer than 4 minutes: signing each webhook as it is sent");
    var signer = new ProviderSigner();
    delivery = i => SendCommand.BulkDelivery(signer, ProviderSigner.Providers, run, i);
}

// The presigned webhooks are a large, long-lived heap: settle it now, and keep blocking full collections out of the
// measurement (a generator's pause would show as the platform's latency).
GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
var pausedBefore = GC.GetTotalPauseDuration();
using var sender = new WebhookSender(ingress);
if (warmCount > 0)
{
    var (warm, _) = await SendCommand.SendBulkAsync(sender, warmCount, delivery, rate, 512, null, null, CancellationToken.None);
    Console.Error.WriteLine($"warm-up: {warm.Count(r => r.Accepted)}/{warm.Count} accepted");
    notified.Clear();
}

var (results, elapsed) = await SendCommand.SendBulkAsync(sender, count, i => delivery(warmCount + i), rate, 512, Console.Error,
    result =>
    {
        if (result.Accepted)
        {
            acked[result.Delivery.DocumentToken] = result.AcceptedAtTimestamp;
        }
    }, CancellationToken.None);

// The last documents' notifications: wait for them with a deadline.
var deadline = Stopwatch.GetTimestamp() + (long)(10 * Stopwatch.Frequency);
while (acked.Keys.Any(k => !notified.ContainsKey(k)) && Stopwatch.GetTimestamp() < deadline)
{
    await Task.Delay(50);
}

await stopWatching.CancelAsync();
await watcher;

var latencies = acked
    .Where(a => notified.ContainsKey(a.Key))
    .Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value, notified[a.Key]).TotalMilliseconds))
    .Order()
    .ToArray();
var summary = SendSummary.Of(results, elapsed);
var output = new
{
    rate,
    seconds,
    sent = summary.Sent,
    accepted = summary.Accepted,
    rejected = summary.Rejected + summary.Unreachable,
    achievedRate = Math.Round(summary.Sent / elapsed.TotalSeconds, 1),
    notified = latencies.Length,
    missing = acked.Count - latencies.Length,
    watcherDrops,
    // The generator's own pauses while it sends and watches: a pause here delays the measured notifications.
    generatorGcPauseMs = Math.Round((GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds, 1),
    generatorGen2Collections = GC.CollectionCount(2),
    ingressMs = new { p50 = Math.Round(summary.P50Ms, 2), p99 = Math.Round(summary.P99Ms, 2), max = Math.Round(summary.MaxMs, 2) },
    endToEndMs = new
    {
        p50 = Math.Round(SendSummary.Percentile(latencies, 0.50), 2),
        p90 = Math.Round(SendSummary.Percentile(latencies, 0.90), 2),
        p99 = Math.Round(SendSummary.Percentile(latencies, 0.99), 2),
        max = latencies.Length == 0 ? 0 : Math.Round(latencies[^1], 2),
    },
};
Console.WriteLine(JsonSerializer.Serialize(output));
return 0;
