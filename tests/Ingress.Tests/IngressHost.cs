using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Embedded;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

/// <summary>The real ingress on Kestrel (127.0.0.1, a free port) against a given broker and topic.</summary>
public sealed class IngressHost : IAsyncDisposable
{
    private IngressHost(WebApplication app, Uri address, CapturedLogs logs)
    {
        App = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public static async Task<IngressHost> StartAsync(string bootstrapServers, string topic, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={bootstrapServers}",
            "--Kafka:AutoCreateTopics=false",
            $"--Ingress:Topic={topic}",

            // Every test request comes from 127.0.0.1: the per-client limit is off unless a test turns it on.
            "--Ingress:ClientRateLimitPerSecond=0",
        };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var logs = new CapturedLogs();
        var app = IngressApplication.Create([.. args], builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        await app.StartAsync();
        return new IngressHost(app, new Uri(app.Addresses().First()), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Every log line the application wrote, with its formatted message and exception.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            owner._lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {structured} {exception}");
        }
    }
}

/// <summary>
/// An ingress on an embedded cluster of its own, with a one-partition topic: for tests that inject faults or delays,
/// which must not disturb other tests.
/// </summary>
public sealed class IsolatedIngress : IAsyncDisposable
{
    private IsolatedIngress(EmbeddedKafkaCluster cluster, string topic, IngressHost host)
    {
        Cluster = cluster;
        Topic = topic;
        Host = host;
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public string Topic { get; }

    public IngressHost Host { get; }

    public static async Task<IsolatedIngress> StartAsync(string topicPrefix, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var cluster = EmbeddedKafkaCluster.Start();
        var topic = TestKafka.UniqueTopic(topicPrefix);
        cluster.CreateTopic(topic, 1);
        return new IsolatedIngress(cluster, topic, await IngressHost.StartAsync(cluster.BootstrapServers, topic, settings));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Cluster.Dispose();
    }
}
