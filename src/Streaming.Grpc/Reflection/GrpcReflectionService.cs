using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Streaming.Grpc;

/// <summary>
/// gRPC server reflection, grpc.reflection.v1 and the older grpc.reflection.v1alpha that many
/// tools still call first. Each request on the bidirectional stream is answered as it arrives.
/// </summary>
public static class GrpcReflectionService
{
    /// <summary>Maps both reflection services; they describe every service mapped in this process.</summary>
    public static IEndpointConventionBuilder MapGrpcReflection(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddStreamingGrpc() before mapping gRPC reflection.");
        var responder = new ServerReflectionResponder(registry);

        var v1 = new GrpcServiceBinder(V1.ReflectionReflection.Descriptor.Services[0])
            .DuplexStreaming<V1.ServerReflectionRequest, V1.ServerReflectionResponse>(
                "ServerReflectionInfo",
                async (requests, writer, context) =>
                {
                    await foreach (var request in requests.WithCancellation(context.CancellationToken))
                    {
                        await writer.WriteAsync(responder.Answer(request));
                    }
                });

        // v1alpha has the very same messages and field numbers as v1, so its messages convert
        // through their bytes and one responder serves both.
        var v1Alpha = new GrpcServiceBinder(V1Alpha.ReflectionReflection.Descriptor.Services[0])
            .DuplexStreaming<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>(
                "ServerReflectionInfo",
                async (requests, writer, context) =>
                {
                    await foreach (var request in requests.WithCancellation(context.CancellationToken))
                    {
                        var answer = responder.Answer(V1.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString()));
                        await writer.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()));
                    }
                });

        return new CompositeConventionBuilder(
            GrpcEndpointRouteBuilderExtensions.MapBinder(endpoints, v1),
            GrpcEndpointRouteBuilderExtensions.MapBinder(endpoints, v1Alpha));
    }

    private sealed class CompositeConventionBuilder : IEndpointConventionBuilder
    {
        private readonly IEndpointConventionBuilder[] _builders;

        public CompositeConventionBuilder(params IEndpointConventionBuilder[] builders)
        {
            _builders = builders;
        }

        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in _builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in _builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
