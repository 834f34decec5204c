using Confluent.Kafka;

namespace Streaming.Normalizer.Processing;

/// <summary>A record to produce inside the current transaction.</summary>
public readonly record struct OutputRecord(string Topic, Message<byte[]?, byte[]?> Message);

/// <summary>
/// What <see cref="ExactlyOnceLoop"/> does with each consumed record. All calls come from the loop's thread.
/// State a transform keeps must follow the transactions: <see cref="Committed"/> makes the batch's
/// effects permanent, <see cref="Aborted"/> forgets them.
/// </summary>
public interface IRecordTransform
{
    /// <summary>Called before the first record of a partition after it was assigned, or after an abort.</summary>
    void Prepare(TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>Adds the records to produce for <paramref name="record"/> (none to drop it).</summary>
    void Transform(ConsumeResult<byte[]?, byte[]?> record, List<OutputRecord> outputs);

    void Committed();

    void Aborted();

    /// <summary>The partitions left this consumer: forget their state.</summary>
    void Revoked(IReadOnlyCollection<TopicPartition> partitions);
}

/// <summary>Copies each record unchanged to another topic: the benchmark's baseline.</summary>
public sealed class PassThroughTransform(string outputTopic) : IRecordTransform
{
    public void Prepare(TopicPartition partition, CancellationToken cancellationToken)
    {
    }

    public void Transform(ConsumeResult<byte[]?, byte[]?> record, List<OutputRecord> outputs) =>
        outputs.Add(new OutputRecord(outputTopic, new Message<byte[]?, byte[]?>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Headers = record.Message.Headers,
        }));

    public void Committed()
    {
    }

    public void Aborted()
    {
    }

    public void Revoked(IReadOnlyCollection<TopicPartition> partitions)
    {
    }
}
