using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Streaming.Normalizer.Mapping;
using Streaming.Normalizer.Processing;
using Streaming.SchemaRegistry;
using Streaming.SchemaRegistry.Server;
using Streaming.ServiceDefaults;

namespace Streaming.Normalizer;

/// <summary>Registration and start-up of the normalizer, shared by Program and the tests.</summary>
public static class NormalizerApplication
{
    public static IHostApplicationBuilder AddNormalizer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NormalizerOptions>()
            .BindConfiguration(NormalizerOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.BatchTimeout > TimeSpan.Zero && o.BatchTimeout <= TimeSpan.FromSeconds(30), "Normalizer:BatchTimeout must be between 0 and 30 s")
            .Validate(o => o.DedupeWindow > TimeSpan.Zero, "Normalizer:DedupeWindow must be positive")
            .Validate(o => o.TransactionTimeout >= TimeSpan.FromSeconds(1) && o.TransactionTimeout > o.BatchTimeout * 2, "Normalizer:TransactionTimeout must be at least 1 s and well above BatchTimeout")
            .Validate(o => o.SessionTimeout >= TimeSpan.FromSeconds(1), "Normalizer:SessionTimeout must be at least 1 s")
            .Validate(o => o.CommitTimeout >= TimeSpan.FromMilliseconds(100), "Normalizer:CommitTimeout must be at least 100 ms")
            .Validate(o => o.FetchWait is null || (o.FetchWait >= TimeSpan.FromMilliseconds(1) && o.FetchWait <= TimeSpan.FromSeconds(5)), "Normalizer:FetchWait must be between 1 ms and 5 s")
            // SchemaRegistry:Url is the shared key; Normalizer:SchemaRegistryUrl, when set, still wins (older deployments).
            .PostConfigure<IConfiguration>((o, configuration) =>
                o.SchemaRegistryUrl = SchemaRegistryClientOptions.ConfiguredUrl(configuration, NormalizerOptions.LegacyRegistryUrlKey))
            .Validate(o => string.IsNullOrWhiteSpace(o.SchemaRegistryUrl) || Uri.TryCreate(o.SchemaRegistryUrl, UriKind.Absolute, out _), "SchemaRegistry:Url (or Normalizer:SchemaRegistryUrl) must be an absolute URL or empty")
            .Validate<IHostEnvironment>(
                (o, environment) => !string.IsNullOrWhiteSpace(o.SchemaRegistryUrl) || o.AllowEmbeddedRegistry || environment.IsDevelopment(),
                "SchemaRegistry:Url is required outside the Development environment (e.g. SchemaRegistry__Url=http://schema-registry:8081): " +
                "without it the normalizer would host an open, in-memory registry that forgets every schema on restart. " +
                "To run one on purpose, set Normalizer__AllowEmbeddedRegistry=true.")
            .Validate(o => o.InputTopic != o.OutputTopic && o.InputTopic != o.DeadLetterTopic, "Normalizer: the input topic must differ from the output and DLQ topics")
            .ValidateOnStart();
        // Parsing the tables here makes a malformed table a start failure.
        builder.Services.AddSingleton(_ => MappingCatalog.LoadEmbedded());
        builder.Services.AddSingleton<NormalizerTelemetry>();
        builder.Services.AddSingleton<NormalizerWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NormalizerWorker>());
        builder.Services.AddHealthChecks().AddCheck<NormalizerHealthCheck>("normalizer", tags: ["ready"]);
        if (UsesEmbeddedRegistry(builder.Configuration))
        {
            builder.Services.AddSchemaRegistry();
        }

        return builder;
    }

    /// <summary>Builds the normalizer's web application (health, and the registry in embedded mode).</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddStreamingDefaults();
        builder.AddNormalizer();
        configure?.Invoke(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var app = builder.Build();
        app.MapHealth();
        app.MapMetrics();
        if (UsesEmbeddedRegistry(app.Configuration))
        {
            app.MapSchemaRegistry();
        }

        // Eager: a malformed mapping table stops the start, before any record is read.
        _ = app.Services.GetRequiredService<MappingCatalog>();
        return app;
    }

    /// <summary>The addresses Kestrel listens on, once started.</summary>
    public static IReadOnlyCollection<string> Addresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    private static bool UsesEmbeddedRegistry(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(SchemaRegistryClientOptions.ConfiguredUrl(configuration, NormalizerOptions.LegacyRegistryUrlKey));
}
