using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streaming.Cli;
using Streaming.Cli.Sending;
using Streaming.Kafka;
using Streaming.Testing;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// The platform's retention of its hand-off topics on the embedded broker: what the normalizer and the status service
/// committed past goes, but the newest Platform:KeepConsumedRecords per partition; every webhook is still projected.
/// </summary>
public sealed class EmbeddedRetentionTests : IAsyncLifetime
{
    private const int Keep = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly PlatformProcess _platform = new($"--Platform:KeepConsumedRecords={Keep}");

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task The_hand_off_topics_drop_what_their_consumers_committed_but_the_newest_kept()
    {
        const int documents = 120;
        using (var sender = new WebhookSender(_platform.Ingress))
        {
            var (results, _) = await SendCommand.SendBulkAsync(sender, new ProviderSigner(), ProviderSigner.Providers, documents, 0, 16, null, null, CancellationToken.None);
            Assert.All(results, r => Assert.True(r.Accepted, r.Error));
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _platform.Kafka }).Build();
        foreach (var (topic, group) in new[] { (KafkaTopics.Raw, "normalizer"), (KafkaTopics.DocumentEvents, "status") })
        {
            // Once the consumer has committed all it read (on documents.events.v1 a transaction's closing marker may follow),
            // each partition starts Keep records before its committed offset, or at 0.
            await Eventually.True(async () =>
            {
                var (ends, starts, committed) = await OffsetsAsync(admin, topic, group);
                return ends.All(e => committed.TryGetValue(e.Key, out var c) && c >= e.Value - 1 && starts[e.Key] == Math.Max(0, c - Keep));
            }, Wait, $"{topic} trimmed behind {group}, keeping {Keep} per partition\n{_platform.Log}");
        }

        // Nothing was lost on the way: every document reached the status service.
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "list", "--limit", "1000", "--json"], output, new StringWriter()));
        Assert.Equal(documents, Regex.Matches(output.ToString(), "doc_bulk_[0-9a-f]+_[0-9]+").Select(m => m.Value).Distinct().Count());
    }

    private static async Task<(Dictionary<int, long> Ends, Dictionary<int, long> Starts, Dictionary<int, long> Committed)> OffsetsAsync(IAdminClient admin, string topic, string group)
    {
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        async Task<Dictionary<int, long>> ListAsync(OffsetSpec spec) =>
            (await admin.ListOffsetsAsync(partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec })))
                .ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.Partition.Value, r => r.TopicPartitionOffsetError.Offset.Value);
        var committed = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)]))
            .SelectMany(g => g.Partitions).Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        return (await ListAsync(OffsetSpec.Latest()), await ListAsync(OffsetSpec.Earliest()), committed);
    }
}
