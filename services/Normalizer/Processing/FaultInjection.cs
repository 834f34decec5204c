using Confluent.Kafka;

namespace Streaming.Normalizer.Processing;

/// <summary>Where a test may make the normalizer die as if killed: after the batch's records were written, before its transaction ends.</summary>
public enum FaultPoint
{
    /// <summary>Records produced and flushed to the broker; offsets not yet sent.</summary>
    AfterProduce,

    /// <summary>Records produced and offsets sent to the transaction; not committed.</summary>
    AfterSendOffsets,
}

/// <summary>
/// Fault injection for tests: when <see cref="CrashAt"/> answers true the loop stops on the spot, as a killed
/// process would: no abort, no commit, no leaving the group (clients are destroyed without closing). Never registered
/// by the service; only a test registers one (the worker takes it when present).
/// </summary>
public sealed class NormalizerFaultInjection
{
    public Func<FaultPoint, bool>? CrashAt { get; set; }

    /// <summary>
    /// When it answers true for a raw partition, rebuilding that partition's dedupe state fails with a transport error,
    /// as reading the output back does while the broker is down.
    /// </summary>
    public Func<int, bool>? FailHistoryRead { get; set; }

    internal List<(string Id, long Timestamp)> ReadHistory(Func<int, CancellationToken, List<(string Id, long Timestamp)>> read, int rawPartition, CancellationToken cancellationToken)
    {
        if (FailHistoryRead?.Invoke(rawPartition) == true)
        {
            throw new KafkaException(new Error(ErrorCode.Local_Transport, "injected: the output could not be read back"));
        }

        return read(rawPartition, cancellationToken);
    }

    internal void Check(FaultPoint point)
    {
        if (CrashAt?.Invoke(point) == true)
        {
            throw new SimulatedCrashException(point);
        }
    }
}

/// <summary>Thrown by an injected fault; the loop lets the process "die" without cleaning up.</summary>
public sealed class SimulatedCrashException(FaultPoint point) : Exception($"simulated crash at {point}")
{
    public FaultPoint Point { get; } = point;
}
