using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Projection;
using Streaming.Status.Store;
using Streaming.Status.Watching;
using Streaming.Testing;

namespace Streaming.Status.Tests.Support;

/// <summary>Topics, group and store of one test's status service, shared by its restarts and replicas.</summary>
/// <param name="SnapshotTopic">The test's own documents.status.v1 (the embedded broker does not compact it).</param>
public sealed record StatusSetup(string Topic, string GroupId, string SqlitePath, string? ConnectionString, int Partitions, string SnapshotTopic) : IDisposable
{
    public static StatusSetup Create(int partitions = 3, string? connectionString = null)
    {
        var topic = TestKafka.CreateTopic("status-events", partitions);
        var snapshots = TestKafka.CreateTopic("status-snapshots", partitions);
        var directory = Directory.CreateTempSubdirectory("status-e2e-");
        return new StatusSetup(topic, "status-" + Guid.NewGuid().ToString("N")[..10], Path.Combine(directory.FullName, "status.db"), connectionString, partitions, snapshots);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var directory = Path.GetDirectoryName(SqlitePath)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>The real status service (StatusApplication) on free ports, against the test broker and registry.</summary>
public sealed class StatusHost : IAsyncDisposable
{
    private StatusHost(WebApplication app, GrpcChannel channel)
    {
        App = app;
        Channel = channel;
        Client = new DocumentStatusService.DocumentStatusServiceClient(channel);
    }

    public WebApplication App { get; }

    public GrpcChannel Channel { get; }

    public DocumentStatusService.DocumentStatusServiceClient Client { get; }

    public Uri GrpcAddress => App.GrpcAddress();

    public Uri HttpAddress => App.HttpAddresses()[0];

    public ProjectionLoop Loop => App.Services.GetRequiredService<ProjectionWorker>().Loop!;

    public IStatusStore Store => App.Services.GetRequiredService<IStatusStore>();

    public ChangeFeed Feed => App.Services.GetRequiredService<ChangeFeed>();

    public Streaming.Status.Publishing.SnapshotPublisher Snapshots => App.Services.GetRequiredService<Streaming.Status.Publishing.SnapshotPublisher>();

    public static async Task<StatusHost> StartAsync(
        StatusSetup setup,
        IReadOnlyDictionary<string, string?>? settings = null,
        Func<long, bool>? crashAfterCommit = null,
        string? instanceId = null,
        ProjectionFaults? faults = null)
    {
        var registry = await TestRegistry.UrlAsync();
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={TestKafka.BootstrapServers}",
            "--Kafka:AutoCreateTopics=false",
            $"--Status:Topic={setup.Topic}",
            $"--Status:GroupId={setup.GroupId}",
            $"--Status:SchemaRegistryUrl={registry}",
            $"--Status:SqlitePath={setup.SqlitePath}",
            "--Status:GrpcPort=0",
            "--Status:SessionTimeout=00:00:06",
            $"--Status:SnapshotTopic={setup.SnapshotTopic}",
            // The tests' registry is empty: the service registers the DocumentStatus contract as in Development.
            "--Status:AutoRegisterSchemas=true",
            $"--Status:InstanceId={instanceId ?? Guid.NewGuid().ToString("N")[..8]}",
        ];
        var app = StatusApplication.Create(args, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var extra = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
            if (setup.ConnectionString is not null)
            {
                extra["Status:ConnectionString"] = setup.ConnectionString;
            }

            builder.Configuration.AddInMemoryCollection(extra);

            // The crash hook exists only in tests: the service never registers it.
            builder.Services.AddSingleton(faults ?? new ProjectionFaults { CrashAfterCommit = crashAfterCommit });
        });
        await app.StartAsync();
        var host = new StatusHost(app, GrpcChannel.ForAddress(app.GrpcAddress()));
        await Eventually.True(() => host.App.Services.GetRequiredService<ProjectionWorker>().Loop is { Running: true }, TimeSpan.FromSeconds(20), "the projection to run");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
