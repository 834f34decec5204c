using System.Text;
using Streaming.Status.Projection;
using Streaming.Status.Store;
using Streaming.Status.Tests.Support;

namespace Streaming.Status.Tests;

/// <summary>
/// A batch's changes reach other replicas as NOTIFY payloads: the replica's id on the first line, then one escaped
/// "token TAB event id" line per change, split so that no payload reaches PostgreSQL's 8000-byte limit.
/// </summary>
public sealed class NotificationPayloadTests
{
    [Fact]
    public void A_large_batch_is_split_into_payloads_under_the_limit_with_every_change_once_and_in_order()
    {
        // Non-ASCII tokens: escaped as UTF-8 percent-encoding, three bytes per encoded byte.
        var changes = Enumerable.Range(0, 600)
            .Select(i => Lifecycle.Event($"dossier-é-{i}", $"évènement-{i}", LifecycleStatus.Pending, i % 60))
            .Select(e => new DocumentChange(StatusRules.Step(null, e, 1), e))
            .ToList();

        var payloads = PostgresStatusStore.NotificationPayloads("replica-a", changes).ToList();

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.InRange(Encoding.UTF8.GetByteCount(p), 1, 7000));
        Assert.All(payloads, p => Assert.StartsWith("replica-a\n", p, StringComparison.Ordinal));
        var lines = payloads.SelectMany(p => p.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            .Select(l => l.Split('\t').Select(Uri.UnescapeDataString).ToArray())
            .Select(f => (f[0], f[1]));
        Assert.Equal(changes.Select(c => (c.Document.DocumentToken, c.Event!.EventId)), lines);
        // Full payloads: a split happens only when the next line would not fit.
        Assert.All(payloads.SkipLast(1), p => Assert.True(Encoding.UTF8.GetByteCount(p) > 7000 - 60));
    }
}
