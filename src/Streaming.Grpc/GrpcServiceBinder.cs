using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Streaming.Grpc;

/// <summary>
/// Binds typed handlers to the methods of one protobuf service. Every binding is checked
/// against the descriptor when the service is mapped, so a wrong method name, kind or
/// message type fails at start-up, not at the first call.
/// </summary>
public sealed class GrpcServiceBinder
{
    private readonly Dictionary<string, GrpcMethodHandler> _handlers = new(StringComparer.Ordinal);

    internal GrpcServiceBinder(ServiceDescriptor service)
    {
        Service = service;
    }

    public ServiceDescriptor Service { get; }

    internal IReadOnlyDictionary<string, GrpcMethodHandler> Handlers => _handlers;

    /// <summary>The HTTP/2 path of a method: <c>/{package}.{Service}/{Method}</c>.</summary>
    public static string PathOf(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    /// <summary>Binds a unary method: one request, one response.</summary>
    public GrpcServiceBinder Unary<TRequest, TResponse>(string methodName, Func<TRequest, GrpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = Resolve<TRequest, TResponse>(methodName, clientStreaming: false, serverStreaming: false);
        _handlers.Add(method.Name, new UnaryMethodHandler<TRequest, TResponse>(method, handler));
        return this;
    }

    /// <summary>Binds a server-streaming method: one request, then any number of responses.</summary>
    public GrpcServiceBinder ServerStreaming<TRequest, TResponse>(string methodName, Func<TRequest, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = Resolve<TRequest, TResponse>(methodName, clientStreaming: false, serverStreaming: true);
        _handlers.Add(method.Name, new ServerStreamingMethodHandler<TRequest, TResponse>(method, handler));
        return this;
    }

    internal GrpcServiceBinder DuplexStreaming<TRequest, TResponse>(string methodName, Func<IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        var method = Resolve<TRequest, TResponse>(methodName, clientStreaming: true, serverStreaming: true);
        _handlers.Add(method.Name, new DuplexStreamingMethodHandler<TRequest, TResponse>(method, handler));
        return this;
    }

    private MethodDescriptor Resolve<TRequest, TResponse>(string methodName, bool clientStreaming, bool serverStreaming)
    {
        var method = Service.FindMethodByName(methodName)
            ?? throw new InvalidOperationException(
                $"gRPC service {Service.FullName} has no method '{methodName}'. Its methods: {string.Join(", ", Service.Methods.Select(m => m.Name))}.");
        if (_handlers.ContainsKey(method.Name))
        {
            throw new InvalidOperationException($"gRPC method {PathOf(method)} is bound twice.");
        }

        if (method.IsClientStreaming != clientStreaming || method.IsServerStreaming != serverStreaming)
        {
            throw new InvalidOperationException(
                $"gRPC method {PathOf(method)} is {KindOf(method.IsClientStreaming, method.IsServerStreaming)}, but was bound as {KindOf(clientStreaming, serverStreaming)}.");
        }

        CheckType(method, "request", method.InputType, typeof(TRequest));
        CheckType(method, "response", method.OutputType, typeof(TResponse));
        return method;
    }

    private static void CheckType(MethodDescriptor method, string role, MessageDescriptor expected, Type actual)
    {
        if (expected.ClrType != actual)
        {
            throw new InvalidOperationException(
                $"gRPC method {PathOf(method)} takes {expected.FullName} as its {role} ({expected.ClrType?.FullName ?? "no generated type"}), but was bound with {actual.FullName}.");
        }
    }

    private static string KindOf(bool clientStreaming, bool serverStreaming) => (clientStreaming, serverStreaming) switch
    {
        (false, false) => "unary",
        (false, true) => "server streaming",
        (true, false) => "client streaming",
        (true, true) => "bidirectional streaming",
    };
}
