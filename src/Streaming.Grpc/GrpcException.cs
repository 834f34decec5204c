namespace Streaming.Grpc;

/// <summary>
/// Thrown by a handler (or by the binding) to end a call with a gRPC status.
/// The message goes to the client as <c>grpc-message</c>: say what to fix, never echo secrets.
/// </summary>
public sealed class GrpcException : Exception
{
    public GrpcException(StatusCode statusCode, string message)
        : base(message)
    {
        if (statusCode == StatusCode.OK)
        {
            throw new ArgumentException("A GrpcException cannot carry status OK.", nameof(statusCode));
        }

        StatusCode = statusCode;
    }

    public GrpcException(StatusCode statusCode, string message, Exception innerException)
        : base(message, innerException)
    {
        if (statusCode == StatusCode.OK)
        {
            throw new ArgumentException("A GrpcException cannot carry status OK.", nameof(statusCode));
        }

        StatusCode = statusCode;
    }

    public StatusCode StatusCode { get; }
}
