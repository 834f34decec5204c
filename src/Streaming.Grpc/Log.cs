using Microsoft.Extensions.Logging;

namespace Streaming.Grpc;

/// <summary>Source-generated log messages of the gRPC binding (event ids 7100-7199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Error, Message = "gRPC call {Method} failed with an unhandled exception; the client got INTERNAL")]
    public static partial void UnhandledException(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "gRPC call {Method} ended with {StatusCode}: {StatusMessage}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string statusMessage);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "gRPC call {Method} was cancelled by the client")]
    public static partial void CallCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "gRPC call {Method} exceeded its deadline of {Timeout}")]
    public static partial void DeadlineExceeded(ILogger logger, string method, TimeSpan timeout);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "gRPC call {Method} from {Peer} rejected as unauthenticated: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string? peer, string reason);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "gRPC call {Method} rejected: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Debug, Message = "gRPC call {Method} ended with UNAVAILABLE because the server is stopping")]
    public static partial void ServerStopping(ILogger logger, string method);
}
