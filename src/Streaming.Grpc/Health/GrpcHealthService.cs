using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Grpc;

/// <summary>grpc.health.v1.Health over <see cref="GrpcHealthStatusRegistry"/>. Open without authentication.</summary>
public static class GrpcHealthService
{
    /// <summary>Maps grpc.health.v1.Health (Check and Watch).</summary>
    public static RouteGroupBuilder MapGrpcHealth(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetService<GrpcHealthStatusRegistry>()
            ?? throw new InvalidOperationException("Call services.AddStreamingGrpc() before mapping gRPC health.");

        // Draining: tell load balancers and probes to stop sending work as soon as shutdown begins.
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping
            .Register(() => registry.SetAll(ServingStatus.NotServing));
        return endpoints.MapGrpcService(HealthReflection.Descriptor.Services[0], binder => binder
            .Unary<HealthCheckRequest, HealthCheckResponse>("Check", (request, _) => Task.FromResult(Check(registry, request)))
            .ServerStreaming<HealthCheckRequest, HealthCheckResponse>("Watch", (request, writer, context) => WatchAsync(registry, request, writer, context)));
    }

    private static HealthCheckResponse Check(GrpcHealthStatusRegistry registry, HealthCheckRequest request) =>
        registry.TryGetStatus(request.Service, out var status)
            ? new HealthCheckResponse { Status = status }
            : throw new GrpcException(StatusCode.NotFound, $"unknown service '{request.Service}'; ask for \"\" (the whole server) or a service this server registered");

    private static async Task WatchAsync(
        GrpcHealthStatusRegistry registry,
        HealthCheckRequest request,
        IServerStreamWriter<HealthCheckResponse> writer,
        GrpcCallContext context)
    {
        using var subscription = registry.Watch(request.Service);
        ServingStatus? last = null;
        await foreach (var status in subscription.Reader.ReadAllAsync(context.CancellationToken))
        {
            if (status != last)
            {
                await writer.WriteAsync(new HealthCheckResponse { Status = status });
                last = status;
            }
        }
    }
}
