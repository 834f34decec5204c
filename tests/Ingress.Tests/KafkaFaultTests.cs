using System.Diagnostics;
using System.Net;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

// Each test owns an embedded cluster: fault injection must not disturb other tests.
public sealed class KafkaFaultTests : IAsyncLifetime
{
    private readonly InklessCase _inkless = new();
    private IsolatedIngress _ingress = null!;

    public async Task InitializeAsync() => _ingress = await IsolatedIngress.StartAsync("faults", _inkless.Settings.Concat(
        [
            KeyValuePair.Create("Ingress:DeliveryTimeout", "00:00:01.500"),
            KeyValuePair.Create("Ingress:RetryAfter", "00:00:07"),
        ]));

    public async Task DisposeAsync() => await _ingress.DisposeAsync();

    [Fact]
    public async Task Broker_down_answers_503_with_retry_after_and_nothing_appears_later()
    {
        var warmup = _inkless.Create(new SignOptions());
        Assert.Equal(HttpStatusCode.OK, (await _ingress.Host.Client.PostAsync("inkless", warmup)).StatusCode);

        _ingress.Cluster.SetBrokerDown();
        var lost = _inkless.Create(new SignOptions());
        using var response = await _ingress.Host.Client.PostAsync("inkless", lost);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);

        _ingress.Cluster.SetBrokerUp();
        // The provider's retry, once Kafka is back, is what stores the event.
        var retried = _inkless.Create(new SignOptions());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var retry = await _ingress.Host.Client.PostAsync("inkless", retried);
            status = retry.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);

        using var records = new RecordCollector(_ingress.Cluster.BootstrapServers, _ingress.Topic, 1);
        await records.WaitForKeyAsync(retried.DocumentToken);
        var keys = records.Records.Select(r => r.Message.Key).ToList();
        Assert.Contains(warmup.DocumentToken, keys);
        Assert.DoesNotContain(lost.DocumentToken, keys);
    }

    [Fact]
    public async Task Produce_errors_past_the_delivery_timeout_answer_503()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ingress.Host.Client.PostAsync("inkless", _inkless.Create(new SignOptions()))).StatusCode);
        _ingress.Cluster.PushRequestErrors(KafkaApi.Produce, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 1000).ToArray());

        var refused = _inkless.Create(new SignOptions());
        using var response = await _ingress.Host.Client.PostAsync("inkless", refused);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        _ingress.Cluster.ClearRequestErrors(KafkaApi.Produce);
    }

    [Fact]
    public async Task A_transient_produce_error_is_retried_and_the_answer_is_200()
    {
        _ingress.Cluster.PushRequestErrors(KafkaApi.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable);
        var signed = _inkless.Create(new SignOptions());

        using var response = await _ingress.Host.Client.PostAsync("inkless", signed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(TestKafka.ReadAll(_ingress.Cluster.BootstrapServers, _ingress.Topic, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(signed.DocumentToken, record.Message.Key);
    }

    [Fact]
    public async Task Answers_2xx_only_after_kafka_acknowledged()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ingress.Host.Client.PostAsync("inkless", _inkless.Create(new SignOptions()))).StatusCode);
        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(600));

        var before = TestKafka.CountRecords(_ingress.Cluster.BootstrapServers, _ingress.Topic, 1);
        var stopwatch = Stopwatch.StartNew();
        using var response = await _ingress.Host.Client.PostAsync("inkless", _inkless.Create(new SignOptions()));
        stopwatch.Stop();
        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.Zero);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The answer waited for the broker's (delayed) acknowledgement, and the record was there when it came.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(550), $"answered after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(before + 1, TestKafka.CountRecords(_ingress.Cluster.BootstrapServers, _ingress.Topic, 1));
    }

    [Fact]
    public async Task Graceful_shutdown_completes_in_flight_webhooks()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ingress.Host.Client.PostAsync("inkless", _inkless.Create(new SignOptions()))).StatusCode);
        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(500));
        var requests = Enumerable.Range(0, 10).Select(_ => _inkless.Create(new SignOptions())).ToList();
        var inFlight = requests.Select(r => _ingress.Host.Client.PostAsync("inkless", r)).ToList();
        await Task.Delay(100);

        await _ingress.Host.App.StopAsync();
        var responses = await Task.WhenAll(inFlight);
        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.Zero);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var keys = TestKafka.ReadAll(_ingress.Cluster.BootstrapServers, _ingress.Topic, 11, TimeSpan.FromSeconds(10)).Select(r => r.Message.Key).ToHashSet();
        Assert.All(requests, r => Assert.Contains(r.DocumentToken, keys));
    }

    [Fact]
    public async Task Readiness_fails_while_the_broker_is_down()
    {
        using (var ready = await _ingress.Host.Client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        _ingress.Cluster.SetBrokerDown();
        using (var notReady = await _ingress.Host.Client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        using var live = await _ingress.Host.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        _ingress.Cluster.SetBrokerUp();
    }
}
