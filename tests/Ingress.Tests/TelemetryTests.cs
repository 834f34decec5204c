using System.Net;
using System.Net.Sockets;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

/// <summary>
/// The ingress's counters on its scrape endpoint, and that endpoint kept off the public port when a metrics port is set.
/// Runs alone: OpenTelemetry merges same-named instruments of every host in the process, and a host another test
/// disposes meanwhile would end the merged stream for this host's scrape too.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task With_a_metrics_port_the_counts_are_served_there_and_not_on_the_webhook_port()
    {
        var topic = TestKafka.CreateTopic("ingress-metrics", 1);
        var metricsPort = FreePort();
        var inkless = ProviderCase.Get("inkless");
        await using var host = await IngressHost.StartAsync(TestKafka.BootstrapServers, topic, inkless.Settings.Concat(
        [
            KeyValuePair.Create("urls", $"http://127.0.0.1:0;http://127.0.0.1:{metricsPort}"),
            KeyValuePair.Create("Telemetry:MetricsPort", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]));
        var webhooks = new Uri(host.App.Addresses().First(a => !a.EndsWith($":{metricsPort}", StringComparison.Ordinal)));
        using var client = new HttpClient { BaseAddress = webhooks };

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("inkless", inkless.Create(new SignOptions()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("inkless", inkless.Create(new SignOptions { WrongSecret = true }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostWebhookAsync("nonesuch", "{}"u8.ToArray(), new Dictionary<string, string>())).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        using var scraper = new HttpClient();
        var scrape = await scraper.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        Assert.Equal(3, Value(scrape, "streaming_ingress_webhooks_received_total", "provider=\"inkless\"") + Value(scrape, "streaming_ingress_webhooks_received_total", "provider=\"unknown\""));
        Assert.Equal(1, Value(scrape, "streaming_ingress_webhooks_accepted_total", "provider=\"inkless\""));
        Assert.Equal(1, Value(scrape, "streaming_ingress_webhooks_rejected_total", "provider=\"inkless\"", "reason=\"signature_mismatch\""));
        Assert.Equal(1, Value(scrape, "streaming_ingress_webhooks_rejected_total", "provider=\"unknown\"", "reason=\"provider_unknown\""));
        Assert.Equal(1, Value(scrape, "streaming_ingress_publish_duration_seconds_count", "provider=\"inkless\"", "outcome=\"stored\""));
    }

    private static double Value(string scrape, string metric, params string[] labels)
    {
        var lines = scrape.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal))).ToList();
        Assert.True(lines.Count == 1, $"{metric} {string.Join(",", labels)}: {lines.Count} series in\n{scrape}");
        return double.Parse(lines[0][(lines[0].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection
{
}
