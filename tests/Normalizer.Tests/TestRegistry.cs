using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.Normalizer.Contract;
using Streaming.SchemaRegistry;
using Streaming.SchemaRegistry.Server;
using streaming.documents.v1;
using ConfluentSchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.Normalizer.Tests;

/// <summary>
/// One schema registry endpoint (ours, in memory) on a free loopback port, shared by the test assembly, with the
/// DocumentEvent contract registered under <see cref="Topic"/>'s subject, and Confluent's client of it.
/// </summary>
public static class TestRegistry
{
    /// <summary>The topic the contract tests write to.</summary>
    public const string Topic = "documents.events.v1";

    private static readonly Lazy<Task<(CachedSchemaRegistryClient Client, int ContractId)>> Shared = new(StartAsync);

    /// <summary>The registry's client.</summary>
    public static async Task<CachedSchemaRegistryClient> ClientAsync() => (await Shared.Value).Client;

    /// <summary>The id the registry gave the contract.</summary>
    public static async Task<int> ContractIdAsync() => (await Shared.Value).ContractId;

    /// <summary>
    /// Writes an event as the normalizer does (NormalizerWorker): Confluent's serializer, looking the registered contract up
    /// rather than registering anything itself.
    /// </summary>
    public static async Task<byte[]> SerializeAsync(DocumentEvent value)
    {
        var serializer = new AvroSerializer<DocumentEvent>(await ClientAsync(), new AvroSerializerConfig { AutoRegisterSchemas = false });
        return await serializer.SerializeAsync(value, new SerializationContext(MessageComponentType.Value, Topic));
    }

    private static async Task<(CachedSchemaRegistryClient, int)> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSchemaRegistry();
        var app = builder.Build();
        app.MapSchemaRegistry();
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url });
        var id = await client.RegisterSchemaAsync(SubjectNames.TopicValue(Topic), new ConfluentSchema(DocumentEventContract.SchemaJson, SchemaType.Avro));
        return (client, id);
    }
}
