using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Streaming.Ingress.Tests;

/// <summary>Reads a topic from the beginning in the background and keeps every record.</summary>
public sealed class RecordCollector : IDisposable
{
    private readonly ConcurrentQueue<ConsumeResult<string, byte[]>> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RecordCollector(string bootstrapServers, string topic, int partitions)
    {
        var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "collector-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        _loop = Task.Factory.StartNew(
            () =>
            {
                using (consumer)
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                        if (result is { IsPartitionEOF: false })
                        {
                            _records.Enqueue(result);
                        }
                    }
                }
            },
            TaskCreationOptions.LongRunning);
    }

    public IReadOnlyCollection<ConsumeResult<string, byte[]>> Records => _records;

    /// <summary>The first record with this key, waiting up to the timeout.</summary>
    public async Task<ConsumeResult<string, byte[]>> WaitForKeyAsync(string key, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var found = _records.FirstOrDefault(r => r.Message.Key == key);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no record with key '{key}' arrived");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
