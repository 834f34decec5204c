using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Streaming.Normalizer.Processing;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Event_counts_move_only_when_their_transaction_commits()
    {
        using var measurements = new NormalizerMeasurements();
        var setup = NormalizerSetup.Create(partitions: 2);
        var webhooks = Enumerable.Range(0, 6).Select(_ => RawWebhooks.Create("inkless", "document_signed")).Append(RawWebhooks.Unkeyed()).ToArray();
        await setup.ProduceAsync(webhooks);

        // Killed with its transaction open: it mapped everything and counted nothing.
        await using (var doomed = await NormalizerHost.StartAsync(setup, crashAt: p => p == FaultPoint.AfterSendOffsets, batchSize: 1000))
        {
            await Eventually.True(() => doomed.Worker.Loop is { Running: false }, TimeSpan.FromSeconds(20), "the injected crash");
            Assert.True(doomed.Worker.Transform!.Normalized + doomed.Worker.Transform.DeadLetters > 0, "the doomed batch was mapped");
            var counted = measurements.Of(doomed);
            Assert.Equal(0, counted.Sum("streaming.normalizer.records.consumed"));
            Assert.Equal(0, counted.Sum("streaming.normalizer.events.normalized"));
            Assert.Equal(0, counted.Sum("streaming.normalizer.events.dead_lettered"));
            Assert.Equal(0, counted.Sum("streaming.normalizer.transactions"));
        }

        await using var restarted = await NormalizerHost.StartAsync(setup);
        await Eventually.True(() => setup.CommittedOffsets() == webhooks.Length, TimeSpan.FromSeconds(30), "the restarted normalizer to commit every raw record");
        var counts = measurements.Of(restarted);
        Assert.Equal(7, counts.Sum("streaming.normalizer.records.consumed"));
        // The mock keeps the killed transaction's records visible: the restarted instance drops them as already written.
        Assert.Equal(6, counts.Sum("streaming.normalizer.events.normalized") + counts.Sum("streaming.normalizer.events.duplicates"));
        Assert.Equal(1, counts.Sum("streaming.normalizer.events.dead_lettered", ("reason", "missing-document-token"), ("provider", "inkless")));
        Assert.True(counts.Sum("streaming.normalizer.transactions", ("outcome", "committed")) >= 1);
        Assert.Equal(0, counts.Sum("streaming.normalizer.transactions", ("outcome", "aborted")));
        Assert.True(counts.Count("streaming.normalizer.transaction.duration") >= 1);
    }

    /// <summary>Every measurement of the Streaming.Normalizer meters, told apart by the host (meter factory) that made them.</summary>
    private sealed class NormalizerMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(object? Scope, string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _all = new();

        public NormalizerMeasurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NormalizerTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _all.Enqueue((instrument.Meter.Scope, instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _all.Enqueue((instrument.Meter.Scope, instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public Measured Of(NormalizerHost host)
        {
            var scope = host.App.Services.GetRequiredService<IMeterFactory>();
            return new Measured(_all.Where(m => ReferenceEquals(m.Scope, scope)).Select(m => (m.Instrument, m.Value, m.Tags)).ToList());
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed record Measured(List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> All)
    {
        public double Sum(string instrument, params (string Key, string Value)[] where) =>
            Matching(instrument, where).Sum(m => m.Value);

        public int Count(string instrument) => Matching(instrument, []).Count();

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] where) =>
            All.Where(m => m.Instrument == instrument && where.All(w => m.Tags.Any(t => t.Key == w.Key && Equals(t.Value, w.Value))));
    }
}
