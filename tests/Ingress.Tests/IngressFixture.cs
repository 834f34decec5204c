using Streaming.Testing;

namespace Streaming.Ingress.Tests;

/// <summary>One ingress with all five providers on the shared test broker, and a collector on its topic.</summary>
public sealed class IngressFixture : IAsyncLifetime
{
    public const int Partitions = 3;

    public string Topic { get; } = TestKafka.CreateTopic("ingress", Partitions);

    public IngressHost Host { get; private set; } = null!;

    public RecordCollector Records { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await IngressHost.StartAsync(TestKafka.BootstrapServers, Topic, ProviderCase.All.SelectMany(c => c.Settings));
        Records = new RecordCollector(TestKafka.BootstrapServers, Topic, Partitions);
    }

    public async Task DisposeAsync()
    {
        Records.Dispose();
        await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IngressCollection : ICollectionFixture<IngressFixture>
{
    public const string Name = "ingress";
}
