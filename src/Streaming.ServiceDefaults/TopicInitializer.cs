using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Streaming.Kafka;

namespace Streaming.ServiceDefaults;

/// <summary>Creates the product's topics at start when Kafka:AutoCreateTopics is on.</summary>
public sealed class TopicInitializer(KafkaConnection connection, IOptions<KafkaOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AutoCreateTopics)
        {
            await connection.EnsureTopicsAsync(KafkaTopics.All(options.Value.Partitions), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
