namespace Streaming.Grpc;

/// <summary>Sends the messages of a server-streaming call; each is flushed to the client at once.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>
    /// Writes and flushes one message. Not safe for concurrent use: await each write.
    /// Throws OperationCanceledException once the call is cancelled.
    /// </summary>
    Task WriteAsync(T message);
}
