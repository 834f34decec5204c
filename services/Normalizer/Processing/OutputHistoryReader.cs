using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;

namespace Streaming.Normalizer.Processing;

/// <summary>
/// Reads back which normalized events a raw partition already produced, from the output topic itself, with the
/// same visibility as downstream readers (read_committed): the dedupe state is whatever the output shows, so it
/// can never disagree with it, across restarts, replicas and aborted transactions.
/// </summary>
public sealed partial class OutputHistoryReader : IDisposable
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    private readonly string _inputTopic;
    private readonly string _outputTopic;
    private readonly TimeSpan _window;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private int[]? _allOutputPartitions;
    private bool _samePartitioning;

    public OutputHistoryReader(ClientConfig client, string inputTopic, string outputTopic, TimeSpan window, TimeSpan timeout, ILogger logger)
    {
        _inputTopic = inputTopic;
        _outputTopic = outputTopic;
        _window = window;
        _timeout = timeout;
        _logger = logger;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(new ClientConfig(client.ToDictionary(p => p.Key, p => p.Value)))
        {
            // Assign-only: the group id is required by the client but nothing is ever committed with it.
            GroupId = "normalizer-history-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            ReconnectBackoffMaxMs = KafkaClientDefaults.ReconnectBackoffMaxMs,
        }).Build();
    }

    /// <summary>
    /// The (event id, write time) of every normalized event in the window whose lineage is <paramref name="rawPartition"/>.
    /// With equal partition counts and the same key partitioner on both topics, raw partition p only ever writes
    /// output partition p, so only that one is read; otherwise all output partitions are.
    /// </summary>
    public List<(string Id, long Timestamp)> Read(int rawPartition, CancellationToken cancellationToken)
    {
        var partitions = OutputPartitionsFor(rawPartition);
        var since = DateTimeOffset.UtcNow - _window;
        var starts = StartOffsets(partitions, since);
        var result = new List<(string, long)>();
        if (starts.Count == 0)
        {
            return result;
        }

        var rawPartitionText = rawPartition.ToString(CultureInfo.InvariantCulture);
        var open = starts.Select(s => s.Partition.Value).ToHashSet();
        _consumer.Assign(starts);
        try
        {
            var deadline = DateTime.UtcNow + _timeout;
            while (open.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException(
                        $"reading {_outputTopic} back for raw partition {rawPartition} did not reach the end within {_timeout} (an open transaction of another producer?)");
                }

                var record = _consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (record is null)
                {
                    continue;
                }

                if (record.IsPartitionEOF)
                {
                    open.Remove(record.Partition.Value);
                    continue;
                }

                var headers = record.Message.Headers;
                if (RawEventHeaders.Get(headers, RawEventHeaders.SourcePartition) == rawPartitionText
                    && RawEventHeaders.Get(headers, RawEventHeaders.SourceTopic) == _inputTopic
                    && RawEventHeaders.Get(headers, RawEventHeaders.EventId) is { } id
                    && record.Message.Timestamp.UnixTimestampMs >= since.ToUnixTimeMilliseconds())
                {
                    result.Add((id, record.Message.Timestamp.UnixTimestampMs));
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var read = string.Join(",", starts.Select(s => s.Partition.Value));
            LogRead(_logger, rawPartition, result.Count, read);
        }

        return result;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    private int[] OutputPartitionsFor(int rawPartition)
    {
        if (_allOutputPartitions is null)
        {
            using var admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
            var metadata = admin.GetMetadata(MetadataTimeout);
            int Count(string topic) => metadata.Topics.FirstOrDefault(t => t.Topic == topic)?.Partitions.Count ?? 0;
            var outputCount = Count(_outputTopic);
            if (outputCount == 0)
            {
                throw new InvalidOperationException($"the output topic {_outputTopic} does not exist");
            }

            _samePartitioning = Count(_inputTopic) == outputCount;
            if (!_samePartitioning)
            {
                LogDifferentPartitioning(_logger, _inputTopic, Count(_inputTopic), _outputTopic, outputCount);
            }

            _allOutputPartitions = Enumerable.Range(0, outputCount).ToArray();
        }

        return _samePartitioning ? [rawPartition] : _allOutputPartitions;
    }

    private List<TopicPartitionOffset> StartOffsets(int[] partitions, DateTimeOffset since)
    {
        var starts = new List<TopicPartitionOffset>();
        foreach (var p in partitions)
        {
            var tp = new TopicPartition(_outputTopic, p);
            var watermarks = _consumer.QueryWatermarkOffsets(tp, MetadataTimeout);
            if (watermarks.High.Value <= watermarks.Low.Value)
            {
                continue;
            }

            var byTime = _consumer.OffsetsForTimes([new TopicPartitionTimestamp(tp, new Timestamp(since))], MetadataTimeout).Single();
            // No offset for the time: either nothing is that recent, or the broker cannot look up by time
            // (librdkafka's mock cluster, 2.16 too: it answers End for every time): read from the start, the time
            // filter applies either way.
            var start = byTime.Offset.Value >= 0 ? byTime.Offset.Value : watermarks.Low.Value;
            starts.Add(new TopicPartitionOffset(tp, start));
        }

        return starts;
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Dedupe state of raw partition {Partition}: {Count} event id(s) read back from output partition(s) {OutputPartitions}")]
    private static partial void LogRead(ILogger logger, int partition, int count, string outputPartitions);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{InputTopic} has {InputCount} partitions, {OutputTopic} {OutputCount}: the dedupe rebuild reads every output partition")]
    private static partial void LogDifferentPartitioning(ILogger logger, string inputTopic, int inputCount, string outputTopic, int outputCount);
}
