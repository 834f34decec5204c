using System.Globalization;
using System.Text.RegularExpressions;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

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
        async Task<Dictionary<int, long>> LagAsync() => Lag(await http.GetStringAsync(metrics), setup.GroupId, setup.Topic);

        // Both partitions owned and reported, nothing to do.
        await Eventually.True(async () => await LagAsync() is { Count: 2 } lag && lag.Values.All(v => v == 0), Wait, "a zero lag for both partitions");

        faults.Paused = true;
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
