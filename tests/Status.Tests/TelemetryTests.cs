using System.Globalization;
using System.Text.RegularExpressions;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>
/// Runs alone: OpenTelemetry merges same-named instruments of every host in the process into one stream, and a host
/// another test disposes meanwhile would end that stream for this host's scrape too (in production one process holds
/// one status service, or the platform's parts, which live as long as the process).
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task The_lag_gauge_rises_while_the_consumer_is_paused_and_falls_back_to_zero()
    {
        using var setup = StatusSetup.Create(partitions: 2);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var faults = new ProjectionFaults();
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Kafka:LagRefreshInterval"] = "00:00:00.100" }, faults: faults);
        using var http = new HttpClient();
        var metrics = new Uri(host.HttpAddress, "/metrics");
        var scrape = "";
        async Task<Dictionary<int, long>> LagAsync() => Lag(scrape = await http.GetStringAsync(metrics), setup.GroupId, setup.Topic);

        // Both partitions owned and reported, nothing to do.
        try
        {
            await Eventually.True(async () => await LagAsync() is { Count: 2 } lag && lag.Values.All(v => v == 0), Wait, "a zero lag for both partitions");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; group {setup.GroupId}, assigned {host.Loop.AssignedPartitions}; lag series:\n{string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("streaming_kafka", StringComparison.Ordinal)))}", e);
        }

        faults.Paused = true;
        await Eventually.True(() => faults.Holding, Wait, "the projection to stop polling");
        var documents = Enumerable.Range(0, 4).Select(i => Lifecycle.FiveEvents($"lag-{i}-{Guid.NewGuid():N}")).ToList();
        await producer.ProduceAsync(documents.SelectMany(d => d));
        await Eventually.True(async () => (await LagAsync()).Values.Sum() == 20, Wait, "the lag to reach the 20 records the paused consumer has not read");
        Assert.Equal(0, host.Loop.Applied);

        faults.Paused = false;
        await Eventually.True(async () => (await LagAsync()).Values.All(v => v == 0), Wait, "the lag to fall back to zero");
        await Eventually.True(() => host.Loop.Applied == 20, Wait, "every event applied once the consumer resumed");
    }

    /// <summary>streaming_kafka_consumer_lag of one group and topic, by partition, from a Prometheus scrape.</summary>
    private static Dictionary<int, long> Lag(string scrape, string group, string topic)
    {
        var lag = new Dictionary<int, long>();
        foreach (Match m in LagLine().Matches(scrape))
        {
            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            if (labels.GetValueOrDefault("messaging_consumer_group_name") == group && labels.GetValueOrDefault("messaging_destination_name") == topic)
            {
                lag[int.Parse(labels["messaging_destination_partition_id"], CultureInfo.InvariantCulture)] = long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return lag;
    }

    [GeneratedRegex(@"^streaming_kafka_consumer_lag\{(?<labels>[^}]*)\} (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex LagLine();

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex LabelPair();
}

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection
{
}
