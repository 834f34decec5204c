using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Streaming.Kafka.Embedded;

/// <summary>A topic whose records one consumer group hands on: what the group committed past may go.</summary>
public sealed record ConsumedTopic(string Topic, string GroupId);

/// <summary>
/// Retention for the embedded broker's hand-off topics: each pass drops, in every partition of each
/// <see cref="ConsumedTopic"/>, the records its group has committed past except the newest <c>keep</c> of them. Nothing
/// the group has not committed is ever dropped, and a partition the group never committed keeps everything.
/// Why: the mock broker finds the message set a fetch asks for by walking the partition's log from its start (and
/// returns one message set per partition per fetch), so every record the normalizer reads costs a walk over
/// everything the partition holds (up to the mock's own cap of 5 MiB per partition): a fifth of the broker thread's
/// time at 2,000 webhooks/s, and memory.
/// </summary>
public sealed partial class ConsumedRecordsRetention : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly EmbeddedKafkaCluster _cluster;
    private readonly IReadOnlyList<ConsumedTopic> _topics;
    private readonly int _partitions;
    private readonly int _keep;
    private readonly ILogger _logger;
    private readonly IAdminClient _admin;
    private readonly Dictionary<TopicPartition, long> _trimmedTo = [];
    private long _deleted;

    public ConsumedRecordsRetention(EmbeddedKafkaCluster cluster, IReadOnlyList<ConsumedTopic> topics, int partitions, int keep, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        _cluster = cluster;
        _topics = topics;
        _partitions = partitions;
        _keep = keep;
        _logger = logger;
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers })
            .SetLogHandler((_, _) => { })
            .Build();
    }

    /// <summary>Records dropped so far (offsets the log start moved over).</summary>
    public long Deleted => Interlocked.Read(ref _deleted);

    /// <summary>Passes every <paramref name="interval"/> until <paramref name="stopping"/> is cancelled, then ends without an error (also mid-pass); a failed pass is logged and retried.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await TrimAsync(stopping);
                }
                catch (Exception e) when (e is KafkaException or TimeoutException)
                {
                    LogPassFailed(_logger, e.Message);
                }

                await Task.Delay(interval, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped between passes or while one waited on the broker: the platform is shutting down, not failing.
        }
    }

    /// <summary>One pass over every topic.</summary>
    public async Task TrimAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in _topics)
        {
            var partitions = Enumerable.Range(0, _partitions).Select(p => new TopicPartition(topic.Topic, p)).ToList();
            var committed = await _admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(topic.GroupId, partitions)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = RequestTimeout });
            var starts = await _admin.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Earliest() }),
                new ListOffsetsOptions { RequestTimeout = RequestTimeout });
            var start = starts.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
            foreach (var offset in committed.SelectMany(c => c.Partitions))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (offset.Error.IsError || offset.Offset.Value < 0 || !start.TryGetValue(offset.TopicPartition, out var logStart))
                {
                    // Nothing committed (or unknown): keep everything.
                    continue;
                }

                var before = offset.Offset.Value - _keep;
                // Never behind the log's start: the mock would move its start offset back to a record it no longer has.
                if (before <= logStart || before <= _trimmedTo.GetValueOrDefault(offset.TopicPartition))
                {
                    continue;
                }

                _cluster.DeleteRecords(offset.Topic, offset.Partition.Value, before);
                _trimmedTo[offset.TopicPartition] = before;
                Interlocked.Add(ref _deleted, before - logStart);
            }
        }
    }

    public void Dispose() => _admin.Dispose();

    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "Embedded broker retention: a pass failed, retrying ({Reason})")]
    private static partial void LogPassFailed(ILogger logger, string reason);
}
