using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.Normalizer.Processing;

/// <summary>
/// Readiness: the exactly-once loop has initialized its transactions and is consuming. Owning partitions is not
/// required (a replica beyond the partition count is idle, not broken); the description says how many it owns.
/// </summary>
public sealed class NormalizerHealthCheck(NormalizerWorker worker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(worker.Loop is { Running: true } loop
            ? HealthCheckResult.Healthy($"{loop.AssignedPartitions} partition(s); {loop.CommittedRecords} record(s) in {loop.Transactions} transaction(s)")
            : HealthCheckResult.Unhealthy("the normalizer loop is not running"));
}
