namespace Streaming.Status.Projection;

/// <summary>
/// Test hooks: simulate a crash of the projection right after a store commit, before anything else happens, or a
/// consumer that stalls. Never
/// registered by the service; only a test registers one (the worker takes it when present).
/// </summary>
public sealed class ProjectionFaults
{
    /// <summary>Called after each committed batch with the batch number (1-based); true crashes the loop there.</summary>
    public Func<long, bool>? CrashAfterCommit { get; set; }

    /// <summary>While true, the loop polls nothing (as a stalled consumer would): its lag grows.</summary>
    public bool Paused { get; set; }

    internal void WhilePaused(CancellationToken stopping)
    {
        while (Paused && !stopping.IsCancellationRequested)
        {
            stopping.WaitHandle.WaitOne(20);
        }
    }
}

/// <summary>Thrown by fault injection only: ends the loop as a killed process would (no Close, no publish).</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("simulated crash after the store commit")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
