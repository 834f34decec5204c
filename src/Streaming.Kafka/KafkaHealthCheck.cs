using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.Kafka;

/// <summary>Readiness: the cluster answers a metadata request with at least one broker.</summary>
public sealed class KafkaHealthCheck : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Lazy<IAdminClient> _admin;

    public KafkaHealthCheck(KafkaConnection connection)
    {
        _admin = new Lazy<IAdminClient>(() => new AdminClientBuilder(connection.ClientConfig()).Build());
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // GetMetadata blocks up to the timeout: keep it off the request thread.
        Task.Run(() =>
        {
            try
            {
                var metadata = _admin.Value.GetMetadata(Timeout);
                return metadata.Brokers.Count > 0
                    ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s)")
                    : HealthCheckResult.Unhealthy("no broker in metadata");
            }
            catch (KafkaException ex)
            {
                return HealthCheckResult.Unhealthy("Kafka unreachable: " + ex.Error.Reason);
            }
        }, cancellationToken);

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
