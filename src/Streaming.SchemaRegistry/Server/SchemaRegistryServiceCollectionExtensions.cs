using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Streaming.SchemaRegistry.Server;

/// <summary>Registers the embedded schema registry's services; map its endpoints with <c>MapSchemaRegistry()</c>.</summary>
public static class SchemaRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the registry, bound to the <c>SchemaRegistry</c> configuration section and then <paramref name="configure"/>.
    /// Its store is an <see cref="ISchemaStore"/> registered before this call, else SQLite at
    /// <see cref="SchemaRegistryServerOptions.StorePath"/>, else in memory.
    /// </summary>
    public static IServiceCollection AddSchemaRegistry(this IServiceCollection services, Action<SchemaRegistryServerOptions>? configure = null)
    {
        var options = services.AddOptions<SchemaRegistryServerOptions>().BindConfiguration(SchemaRegistryServerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => Enum.IsDefined(o.DefaultCompatibility), "SchemaRegistry:DefaultCompatibility is not a compatibility level.")
            .Validate(o => string.IsNullOrEmpty(o.StorePath) || o.StorePath.IndexOfAny(Path.GetInvalidPathChars()) < 0,
                "SchemaRegistry:StorePath is not a valid file path.")
            .ValidateOnStart();

        services.TryAddSingleton<ISchemaStore>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<SchemaRegistryServerOptions>>().Value.StorePath;
            return string.IsNullOrEmpty(path) ? new InMemorySchemaStore() : new SqliteSchemaStore(path);
        });
        services.TryAddSingleton<SchemaRegistryService>();
        services.TryAddSingleton<RegistryMode>();
        return services;
    }
}
