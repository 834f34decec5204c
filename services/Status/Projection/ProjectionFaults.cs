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

    /// <summary>While true, the loop polls nothing before its next batch (as a stalled consumer would): its lag grows.</summary>
    public bool Paused { get; set; }

    /// <summary>The loop is held by <see cref="Paused"/> now (nothing it polled is pending).</summary>
    public bool Holding { get; private set; }

    internal void WhilePaused(CancellationToken stopping)
    {
        while (Paused && !stopping.IsCancellationRequested)
        {
            Holding = true;
            stopping.WaitHandle.WaitOne(20);
        }

        Holding = false;
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
