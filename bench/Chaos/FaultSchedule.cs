using System.Collections.Concurrent;
using System.Diagnostics;

namespace Streaming.Chaos;

/// <summary>The kinds of fault the run injects, each one as a real deployment meets it.</summary>
internal enum FaultKind
{
    /// <summary>The broker goes down (connections closed, new ones refused) and comes back.</summary>
    BrokerDown,

    /// <summary>The next requests of a produce, fetch or transaction API fail with broker error codes.</summary>
    RequestErrors,

    /// <summary>Every broker response arrives late for a while.</summary>
    Latency,

    /// <summary>kill -9 of the normalizer mid-batch, then a restart.</summary>
    KillNormalizer,

    /// <summary>kill -9 of the status service mid-batch, then a restart.</summary>
    KillStatus,

    /// <summary>SIGTERM to the ingress (graceful stop), then a restart.</summary>
    StopIngress,

    /// <summary>PostgreSQL stopped for a while, then started again.</summary>
    StoreDown,
}

/// <summary>Injects faults on a schedule, one kind after another, while the load runs; counts what it did.</summary>
internal sealed class FaultSchedule(Pipeline pipeline, IReadOnlyList<FaultKind> kinds, int seed, TextWriter log)
{
    private static readonly (KafkaApiName Api, string[] Codes)[] RequestErrors =
    [
        (KafkaApiName.Produce, ["NotEnoughReplicas", "LeaderNotAvailable", "NotEnoughReplicas"]),
        // Not MsgSizeTooLarge: cluster-wide, it also hits the ingress's produce, whose designed answer is a final 413
        // (a record the topic can never take), which the checker rightly counts as a refused signed webhook.
        (KafkaApiName.Produce, ["RequestTimedOut", "NotLeaderForPartition"]),
        (KafkaApiName.Fetch, ["NotLeaderForPartition", "NotLeaderForPartition", "UnknownTopicOrPart"]),
        (KafkaApiName.AddPartitionsToTxn, ["ConcurrentTransactions", "GroupLoadInProgress", "NotCoordinatorForGroup"]),
        (KafkaApiName.AddOffsetsToTxn, ["ConcurrentTransactions", "NotCoordinatorForGroup"]),
        (KafkaApiName.EndTxn, ["ConcurrentTransactions", "GroupLoadInProgress", "NotCoordinatorForGroup"]),
        (KafkaApiName.TxnOffsetCommit, ["NotCoordinatorForGroup", "GroupLoadInProgress"]),
    ];

    private readonly Random _random = new(seed);

    public ConcurrentDictionary<FaultKind, int> Injected { get; } = new();

    /// <summary>Injects faults until <paramref name="until"/>: one every <paramref name="interval"/> (start to start), cycling through every kind.</summary>
    public async Task RunAsync(TimeSpan interval, TimeSpan until, Stopwatch clock, CancellationToken cancellationToken)
    {
        var order = new List<FaultKind>();
        // Let the pipeline take load before the first fault.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, interval.TotalSeconds)), cancellationToken);
        while (clock.Elapsed < until && !cancellationToken.IsCancellationRequested)
        {
            if (order.Count == 0)
            {
                order.AddRange(kinds.OrderBy(_ => _random.Next()));
            }

            var kind = order[0];
            order.RemoveAt(0);
            var started = clock.Elapsed;
            try
            {
                await InjectAsync(kind, cancellationToken);
                Injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException)
            {
                log.WriteLine($"[{clock.Elapsed:mm\\:ss}] fault {kind} could not be injected: {e.Message}");
            }

            var rest = interval - (clock.Elapsed - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, cancellationToken);
            }
        }
    }

    private async Task InjectAsync(FaultKind kind, CancellationToken cancellationToken)
    {
        var at = pipeline.Clock.Elapsed;
        string what;
        switch (kind)
        {
            case FaultKind.BrokerDown:
            {
                var down = TimeSpan.FromMilliseconds(_random.Next(1500, 4000));
                await pipeline.BrokerControlAsync("broker/down");
                await Task.Delay(down, cancellationToken);
                await pipeline.BrokerControlAsync("broker/up");
                what = $"broker down {down.TotalSeconds:0.0} s";
                break;
            }

            case FaultKind.RequestErrors:
            {
                var (api, codes) = RequestErrors[_random.Next(RequestErrors.Length)];
                await pipeline.BrokerControlAsync($"errors?api={api}&codes={string.Join(',', codes)}");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                what = $"{api}: {string.Join(", ", codes)}";
                break;
            }

            case FaultKind.Latency:
            {
                var rtt = _random.Next(200, 1500);
                var length = TimeSpan.FromMilliseconds(_random.Next(1500, 4000));
                await pipeline.BrokerControlAsync($"rtt?ms={rtt}");
                await Task.Delay(length, cancellationToken);
                await pipeline.BrokerControlAsync("rtt?ms=0");
                what = $"+{rtt} ms per response for {length.TotalSeconds:0.0} s";
                break;
            }

            case FaultKind.KillNormalizer:
                what = await KillAndRestartAsync(pipeline.Normalizer, cancellationToken);
                break;

            case FaultKind.KillStatus:
                what = await KillAndRestartAsync(pipeline.Status, cancellationToken);
                break;

            case FaultKind.StopIngress:
            {
                var stopwatch = Stopwatch.StartNew();
                pipeline.Hold(pipeline.Ingress, true);
                await pipeline.Ingress.TerminateAsync(TimeSpan.FromSeconds(20));
                var stopped = stopwatch.Elapsed;
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(500, 2000)), cancellationToken);
                pipeline.Ingress.Start();
                pipeline.Hold(pipeline.Ingress, false);
                var ready = await pipeline.Ingress.WaitReadyAsync(pipeline.Http, TimeSpan.FromSeconds(60), cancellationToken);
                what = $"SIGTERM, stopped in {stopped.TotalSeconds:0.0} s, ready again after {stopwatch.Elapsed.TotalSeconds:0.0} s{(ready ? "" : " (NOT ready)")}";
                break;
            }

            case FaultKind.StoreDown:
            {
                var down = TimeSpan.FromMilliseconds(_random.Next(2000, 5000));
                pipeline.Postgres.Stop();
                await Task.Delay(down, cancellationToken);
                pipeline.Postgres.Restart();
                what = $"PostgreSQL stopped for {down.TotalSeconds:0.0} s";
                break;
            }

            default:
                throw new InvalidOperationException($"unknown fault {kind}");
        }

        log.WriteLine($"[{at:mm\\:ss}] {kind}: {what}");
    }

    private async Task<string> KillAndRestartAsync(ServiceProcess service, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        pipeline.Hold(service, true);
        service.Kill();
        // A short pause, as a process supervisor has before the restart.
        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(100, 1000)), cancellationToken);
        service.Start();
        pipeline.Hold(service, false);
        var ready = await service.WaitReadyAsync(pipeline.Http, TimeSpan.FromSeconds(60), cancellationToken);
        return $"kill -9, ready again after {stopwatch.Elapsed.TotalSeconds:0.0} s{(ready ? "" : " (NOT ready)")}";
    }
}

/// <summary>Kafka API names the broker's fault endpoint takes (Streaming.Kafka.Embedded.KafkaApi).</summary>
internal enum KafkaApiName
{
    Produce,
    Fetch,
    AddPartitionsToTxn,
    AddOffsetsToTxn,
    EndTxn,
    TxnOffsetCommit,
}
