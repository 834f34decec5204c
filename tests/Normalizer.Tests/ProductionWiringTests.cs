using Microsoft.Extensions.DependencyInjection;
using Streaming.Normalizer.Processing;

namespace Streaming.Normalizer.Tests;

/// <summary>What a deployed normalizer's container holds: no test hooks.</summary>
public sealed class ProductionWiringTests
{
    [Fact]
    public async Task The_service_registers_no_fault_injection()
    {
        await using var app = NormalizerApplication.Create(["--Kafka:BootstrapServers=127.0.0.1:1", "--Normalizer:SchemaRegistryUrl=http://127.0.0.1:1"]);

        Assert.Null(app.Services.GetService<NormalizerFaultInjection>());
    }

    [Fact]
    public async Task Without_a_registry_url_outside_Development_the_start_stops_with_the_key_to_set()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = NormalizerApplication.Create(["--Kafka:BootstrapServers=127.0.0.1:1"]);
            await app.StartAsync();
        });

        Assert.Contains("SchemaRegistry:Url is required outside the Development environment", error.Message, StringComparison.Ordinal);
    }
}
