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
