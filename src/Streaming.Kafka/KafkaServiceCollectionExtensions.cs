using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Streaming.Kafka;

/// <summary>Registers the Kafka connection (configuration section "Kafka") and its readiness check.</summary>
public static class KafkaServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddKafka(this IHostApplicationBuilder builder)
    {
        // Before every other hosted service: a wrong librdkafka stops the start with a clear message.
        builder.Services.AddHostedService<KafkaNativeCheck>();
        builder.Services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (o, environment) => !o.UsesEmbeddedBroker || o.AllowEmbeddedBroker || environment.IsDevelopment(),
                "Kafka:BootstrapServers is required outside the Development environment (e.g. Kafka__BootstrapServers=kafka:9092): " +
                "without it this service would start an in-memory broker and lose every event on restart. " +
                "To run one on purpose, set Kafka__AllowEmbeddedBroker=true.")
            .ValidateOnStart();
        builder.Services.AddSingleton<KafkaConnection>();
        builder.Services.AddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", tags: ["ready"]);
        return builder;
    }
}
