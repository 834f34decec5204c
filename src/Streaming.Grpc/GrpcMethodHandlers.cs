using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Streaming.Grpc;

/// <summary>One bound method: how to run a call of it once the binding has checked the request.</summary>
internal abstract class GrpcMethodHandler
{
    protected GrpcMethodHandler(MethodDescriptor method)
    {
        Method = method;
    }

    public MethodDescriptor Method { get; }

    public abstract Task HandleAsync(GrpcServerCall call, GrpcCallContext context);
}

internal sealed class UnaryMethodHandler<TRequest, TResponse> : GrpcMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MessageParser<TRequest> Parser = new(() => new TRequest());
    private readonly Func<TRequest, GrpcCallContext, Task<TResponse>> _handler;

    public UnaryMethodHandler(MethodDescriptor method, Func<TRequest, GrpcCallContext, Task<TResponse>> handler)
        : base(method)
    {
        _handler = handler;
    }

    public override async Task HandleAsync(GrpcServerCall call, GrpcCallContext context)
    {
        var request = await call.ReadSingleMessageAsync(Parser, context.CancellationToken);
        var response = await _handler(request, context)
            ?? throw new InvalidOperationException($"The handler of {context.MethodPath} returned null.");
        await call.WriteMessageAsync(response, context.CancellationToken);
    }
}

internal sealed class ServerStreamingMethodHandler<TRequest, TResponse> : GrpcMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MessageParser<TRequest> Parser = new(() => new TRequest());
    private readonly Func<TRequest, IServerStreamWriter<TResponse>, GrpcCallContext, Task> _handler;

    public ServerStreamingMethodHandler(MethodDescriptor method, Func<TRequest, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        : base(method)
    {
        _handler = handler;
    }

    public override async Task HandleAsync(GrpcServerCall call, GrpcCallContext context)
    {
        var request = await call.ReadSingleMessageAsync(Parser, context.CancellationToken);
        await _handler(request, new StreamWriter<TResponse>(call, context.CancellationToken), context);
    }
}

/// <summary>
/// Bidirectional streaming, kept internal: only server reflection needs it. Requests are read
/// as they arrive, so a handler can answer each before the client half-closes.
/// </summary>
internal sealed class DuplexStreamingMethodHandler<TRequest, TResponse> : GrpcMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MessageParser<TRequest> Parser = new(() => new TRequest());
    private readonly Func<IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, GrpcCallContext, Task> _handler;

    public DuplexStreamingMethodHandler(MethodDescriptor method, Func<IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        : base(method)
    {
        _handler = handler;
    }

    public override Task HandleAsync(GrpcServerCall call, GrpcCallContext context) =>
        _handler(ReadAll(call, context.CancellationToken), new StreamWriter<TResponse>(call, context.CancellationToken), context);

    private static async IAsyncEnumerable<TRequest> ReadAll(GrpcServerCall call, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await call.ReadMessageAsync(Parser, cancellationToken) is { } request)
        {
            yield return request;
        }
    }
}

/// <summary>Answers every call of a method the service declares but nobody bound.</summary>
internal sealed class UnimplementedMethodHandler : GrpcMethodHandler
{
    public UnimplementedMethodHandler(MethodDescriptor method)
        : base(method)
    {
    }

    public override Task HandleAsync(GrpcServerCall call, GrpcCallContext context) =>
        throw new GrpcException(StatusCode.Unimplemented, $"method {context.MethodPath} is not implemented by this server");
}

internal sealed class StreamWriter<T> : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly GrpcServerCall _call;
    private readonly CancellationToken _cancellationToken;

    public StreamWriter(GrpcServerCall call, CancellationToken cancellationToken)
    {
        _call = call;
        _cancellationToken = cancellationToken;
    }

    public Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _call.WriteMessageAsync(message, _cancellationToken);
    }
}
