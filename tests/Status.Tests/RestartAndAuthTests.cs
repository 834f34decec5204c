using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

public sealed class RestartAndAuthTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_crash_right_after_the_store_commit_resumes_from_the_store_offsets_without_loss_or_double_apply()
    {
        using var setup = StatusSetup.Create(partitions: 2);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var documents = Enumerable.Range(0, 6).Select(i => Lifecycle.FiveEvents($"crash-{i}")).ToList();
        await producer.ProduceAsync(documents.SelectMany(d => d.Take(3)));

        // Crash after the first committed batch: Kafka never hears of it (no offset stored, no Close).
        await using (var crashing = await StatusHost.StartAsync(setup, crashAfterCommit: batch => batch == 1))
        {
            await Eventually.True(() => !crashing.Loop.Running, Wait, "the simulated crash");
            Assert.Equal(1, crashing.Loop.Batches);
        }

        await producer.ProduceAsync(documents.SelectMany(d => d.Skip(3)));
        await using var restarted = await StatusHost.StartAsync(setup);
        // The restarted consumer first waits for the crashed member's session to expire (no Close was sent); under the
        // whole suite's load that and the rejoin have taken more than 40 s.
        try
        {
            await Eventually.True(() => restarted.Loop.Applied + CommittedBefore(restarted) >= 30, TimeSpan.FromSeconds(90), "every event applied");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"{e.Message}: applied {restarted.Loop.Applied} + committed before {CommittedBefore(restarted)}, partitions held {restarted.Loop.AssignedPartitions}, " +
                $"batches {restarted.Loop.Batches}, last error {restarted.Loop.LastError ?? "none"}", e);
        }

        foreach (var document in documents)
        {
            var state = await restarted.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = document[0].DocumentToken });
            Assert.Equal(5, state.EventCount);
            Assert.Equal(DocumentStatus.Rejected, state.Status);
        }

        // Resuming from Kafka's offsets would have re-read the crashed batch: the store offsets make that impossible.
        Assert.Equal(0, restarted.Loop.Duplicates);
    }

    private static long CommittedBefore(StatusHost host)
    {
        var total = 0L;
        foreach (var token in Enumerable.Range(0, 6).Select(i => $"crash-{i}"))
        {
            total += host.Store.GetDocumentAsync(token, CancellationToken.None).GetAwaiter().GetResult()?.EventCount ?? 0;
        }

        return total - host.Loop.Applied;
    }

    [Fact]
    public async Task Bearer_tokens_guard_the_API_but_not_health()
    {
        const string Token = "status-test-token-0123456789";
        using var setup = StatusSetup.Create(partitions: 1);
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Grpc:BearerTokens:0"] = Token });

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "x" }));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetDocumentStatusAsync(
            new GetDocumentStatusRequest { DocumentToken = "x" }, new CallOptions(new Metadata { { "authorization", "Bearer wrong-token-0123456789" } })));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.DoesNotContain("wrong-token", wrong.Status.Detail, StringComparison.Ordinal);

        var allowed = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetDocumentStatusAsync(
            new GetDocumentStatusRequest { DocumentToken = "x" }, new CallOptions(new Metadata { { "authorization", "Bearer " + Token } })));
        Assert.Equal(StatusCode.NotFound, allowed.StatusCode);

        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest { Service = "" })).Status);
    }

    [Fact]
    public async Task A_misconfigured_service_fails_at_start_with_a_clear_message()
    {
        using var setup = StatusSetup.Create(partitions: 1);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StatusHost.StartAsync(setup, new Dictionary<string, string?>
        {
            ["Status:SchemaRegistryUrl"] = "not a url",
            ["Status:ConnectionString"] = "this is not a connection string",
        }));
        Assert.Contains("Status:SchemaRegistryUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Status:ConnectionString", error.Message, StringComparison.Ordinal);
    }
}
