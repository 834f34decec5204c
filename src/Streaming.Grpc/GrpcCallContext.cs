using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;

namespace Streaming.Grpc;

/// <summary>What a handler knows about the call it serves: method, deadline, cancellation, request metadata.</summary>
public sealed class GrpcCallContext
{
    public GrpcCallContext(HttpContext httpContext, MethodDescriptor method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    public HttpContext HttpContext { get; }

    public MethodDescriptor Method { get; }

    /// <summary>The route, e.g. <c>/streaming.status.v1.DocumentStatusService/GetDocumentStatus</c>.</summary>
    public string MethodPath => GrpcServiceBinder.PathOf(Method);

    /// <summary>When the client's <c>grpc-timeout</c> runs out; null when it sent none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the client cancels, the deadline passes or the server stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Request metadata (HTTP/2 headers); binary <c>-bin</c> values stay base64.</summary>
    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    /// <summary>The request's service scope.</summary>
    public IServiceProvider Services => HttpContext.RequestServices;

    internal GrpcServerCall? Call { get; init; }

    /// <summary>
    /// Sends the response headers now instead of with the first message, so that a client
    /// waiting for them (e.g. before a long-lived stream's first event) sees the call accepted.
    /// After this, errors go in trailers rather than as a trailers-only response.
    /// </summary>
    public Task WriteResponseHeadersAsync() => Call?.StartResponseAsync(CancellationToken) ?? Task.CompletedTask;

    /// <summary>The client's address and port, for logs.</summary>
    public string? Peer => HttpContext.Connection.RemoteIpAddress is { } address
        ? $"{address}:{HttpContext.Connection.RemotePort}"
        : null;
}
