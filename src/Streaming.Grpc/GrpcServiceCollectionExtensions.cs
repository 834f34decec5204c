using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Streaming.Grpc;

/// <summary>Registers the gRPC binding: options (section "Grpc", validated at start), service registry, health registry.</summary>
public static class GrpcServiceCollectionExtensions
{
    public static OptionsBuilder<GrpcServerOptions> AddStreamingGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        var options = services.AddOptions<GrpcServerOptions>().BindConfiguration(GrpcServerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcServerOptions>, GrpcServerOptionsValidator>());
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<GrpcHealthStatusRegistry>();
        services.TryAddSingleton(sp => new BearerTokenAuthenticator(sp.GetRequiredService<IOptions<GrpcServerOptions>>().Value.BearerTokens));
        return options;
    }
}
