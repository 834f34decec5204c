using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Streaming.Grpc;

/// <summary>Maps protobuf services onto endpoint routes: one POST route per method, built from the descriptor.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every method of <paramref name="service"/> at <c>/{package}.{Service}/{Method}</c>.
    /// Methods <paramref name="bind"/> leaves unbound answer UNIMPLEMENTED. Binding mistakes throw
    /// here, at start-up. Returns the route group, e.g. to <c>RequireHost("*:5001")</c>.
    /// </summary>
    public static RouteGroupBuilder MapGrpcService(this IEndpointRouteBuilder endpoints, ServiceDescriptor service, Action<GrpcServiceBinder> bind)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(bind);
        var binder = new GrpcServiceBinder(service);
        bind(binder);
        return MapBinder(endpoints, binder);
    }

    internal static RouteGroupBuilder MapBinder(IEndpointRouteBuilder endpoints, GrpcServiceBinder binder)
    {
        var services = endpoints.ServiceProvider;
        var registry = services.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddStreamingGrpc() before mapping gRPC services.");
        var options = services.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        var authenticator = services.GetRequiredService<BearerTokenAuthenticator>();
        var lifetime = services.GetService<IHostApplicationLifetime>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Streaming.Grpc");
        var health = services.GetRequiredService<GrpcHealthStatusRegistry>();

        registry.Add(binder.Service);
        var group = endpoints.MapGroup("/" + binder.Service.FullName);
        foreach (var method in binder.Service.Methods)
        {
            var handler = binder.Handlers.TryGetValue(method.Name, out var bound) ? bound : new UnimplementedMethodHandler(method);
            var dispatcher = new GrpcCallDispatcher(handler, options, authenticator, lifetime, logger);
            group.MapPost("/" + method.Name, dispatcher.InvokeAsync)
                .WithDisplayName("gRPC " + GrpcServiceBinder.PathOf(method));
        }

        // A mapped service is serving until its owner says otherwise.
        health.SetStatusIfUnknown(binder.Service.FullName, HealthCheckResponse.Types.ServingStatus.Serving);
        return group;
    }
}
