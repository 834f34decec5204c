// Benchmark host: the real ingress (embedded broker, acks=all, idempotent) and a bare endpoint
// that answers 204 doing nothing, on the same Kestrel defaults, in one process. The load comes
// from wrk and hey in other processes (bench/ingress.sh). Writes the two base URLs to the file
// named by the first argument once both listen, then runs until SIGTERM or Ctrl+C.
using System.Text.Json;
using Streaming.Ingress;

var readyFile = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Ingress.Bench READY_FILE [ingress args...]");

var ingress = IngressApplication.Create(
[
    "--urls=http://127.0.0.1:0",
    "--Logging:LogLevel:Default=Warning",

    // The broker in this process, as the benchmark has always measured (BENCHMARKS.md): allowed explicitly.
    "--Kafka:AllowEmbeddedBroker=true",
    .. args[1..],
]);

var bareBuilder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
bareBuilder.Logging.ClearProviders();
bareBuilder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
var bare = bareBuilder.Build();
bare.MapPost("/webhooks/{provider}", (string provider) => Results.NoContent());

await ingress.StartAsync();
if (Environment.GetEnvironmentVariable("BENCH_STALLS") is "1")
{
    StallMonitor.Start();
}

await bare.StartAsync();

var urls = new { ingress = ingress.Addresses().First(), bare = bare.Addresses().First() };
await File.WriteAllTextAsync(readyFile, JsonSerializer.Serialize(urls));
Console.WriteLine($"ingress {urls.ingress}  bare {urls.bare}");

// SIGTERM / Ctrl+C stop the ingress host (its console lifetime); then the bare one follows.
await ingress.WaitForShutdownAsync();
await bare.StopAsync();

/// <summary>
/// BENCH_STALLS=1: a thread that wakes every millisecond and prints, to standard error, every wake-up late by more than
/// 10 ms or after a GC pause of more than 3 ms, with what changed meanwhile (GC counts and pause time, thread pool threads and queue): where a latency tail comes from.
/// </summary>
internal static class StallMonitor
{
    public static void Start() => new Thread(Run) { IsBackground = true, Name = "stall-monitor", Priority = ThreadPriority.Highest }.Start();

    private static void Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = clock.Elapsed;
        var pause = GC.GetTotalPauseDuration();
        int[] counts = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        while (true)
        {
            Thread.Sleep(1);
            var now = clock.Elapsed;
            var late = now - last - TimeSpan.FromMilliseconds(1);
            var p = GC.GetTotalPauseDuration();
            int[] c = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            if (late > TimeSpan.FromMilliseconds(10) || p - pause > TimeSpan.FromMilliseconds(3))
            {
                var monotonic = System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
                Console.Error.WriteLine(FormattableString.Invariant(
                    $"stall at {monotonic:0.000} (monotonic s): {late.TotalMilliseconds:0} ms late; GC pause {(p - pause).TotalMilliseconds:0} ms, gen0/1/2 +{c[0] - counts[0]}/{c[1] - counts[1]}/{c[2] - counts[2]}; thread pool {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} queued"));
            }

            last = now;
            pause = p;
            counts = c;
        }
    }
}
