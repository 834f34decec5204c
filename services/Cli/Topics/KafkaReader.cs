using System.Runtime.CompilerServices;
using Confluent.Kafka;

namespace Streaming.Cli.Topics;

/// <summary>Reads every partition of a topic without joining a consumer group's work (manual assignment, no commits).</summary>
internal static class KafkaReader
{
    /// <summary>The topic's partitions; NOT_FOUND when the cluster does not know the topic, UNREACHABLE when there is no cluster.</summary>
    public static List<TopicPartition> Partitions(string bootstrapServers, string topic)
    {
        // Every Kafka command starts here: fail with the reason, not with a missing entry point later.
        try
        {
            Streaming.Kafka.KafkaNative.EnsureSupportedVersion();
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }

        // librdkafka's own log lines would repeat what the exceptions below say.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, SocketTimeoutMs = 5000 })
            .SetLogHandler((_, _) => { })
            .Build();
        Metadata metadata;
        try
        {
            // All topics: asking for one by name may create it on brokers that auto-create topics.
            metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
        }
        catch (KafkaException ex)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach Kafka at {bootstrapServers}: {ex.Error.Reason}");
        }

        var found = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata.Brokers.Count == 0)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach Kafka at {bootstrapServers}");
        }

        if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
        {
            throw new CliException(ExitCodes.NotFound, $"topic '{topic}' does not exist on {bootstrapServers}");
        }

        return found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
    }

    /// <summary>
    /// Yields records from <paramref name="start"/> on; with <paramref name="untilEnd"/>, stops once every partition
    /// reached its end (as it was when reading got there), else reads until cancelled.
    /// </summary>
    public static async IAsyncEnumerable<ConsumeResult<byte[]?, byte[]?>> ReadAsync(
        string bootstrapServers,
        string topic,
        Offset start,
        bool untilEnd,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partitions = Partitions(bootstrapServers, topic);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(RecordPrinter.ReaderConfig(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, start)));
        var atEnd = new HashSet<int>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Consume blocks: keep it off the caller's thread so cancellation stays prompt.
                var result = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(200)), CancellationToken.None);
                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    atEnd.Add(result.Partition.Value);
                    if (untilEnd && atEnd.Count == partitions.Count)
                    {
                        yield break;
                    }

                    continue;
                }

                atEnd.Remove(result.Partition.Value);
                yield return result;
            }
        }
        finally
        {
            consumer.Close();
        }
    }
}
