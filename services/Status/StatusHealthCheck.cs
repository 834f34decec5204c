using Microsoft.Extensions.Diagnostics.HealthChecks;
using Streaming.Status.Projection;
using Streaming.Status.Store;

namespace Streaming.Status;

/// <summary>Readiness: the store answers and the projection loop runs (degraded while it retries an error).</summary>
public sealed class StatusHealthCheck(IStatusStore store, ProjectionWorker worker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await store.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"status store ({store.Kind}) unreachable: {e.GetType().Name}");
        }

        var loop = worker.Loop;
        if (loop is not { Running: true })
        {
            return HealthCheckResult.Unhealthy("the projection is not running");
        }

        return loop.LastError is { } error
            ? HealthCheckResult.Degraded("the projection is retrying: " + error)
            : HealthCheckResult.Healthy($"{store.Kind}; {loop.AssignedPartitions} partition(s); {loop.Applied} events applied");
    }
}
