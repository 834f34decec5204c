using System.Text.RegularExpressions;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// The platform's ready file (and banner) means a webhook sent now flows at once: both consumers own every
/// partition. Checked with the classic group protocol, where the assignment comes seconds after the consumers
/// subscribe (the broker's 3 s initial rebalance delay), so a platform that reported ready on subscription alone
/// would write its ready file before the assignment is logged.
/// </summary>
public sealed partial class ReadinessTests
{
    [Fact]
    public async Task Reports_ready_only_once_its_consumers_own_their_partitions()
    {
        var platform = new PlatformProcess("--Normalizer:GroupProtocol=Classic", "--Status:GroupProtocol=Classic");
        try
        {
            await platform.InitializeAsync();
            var log = platform.LogAtReady;

            // Logged by the normalizer's and the status service's rebalance handlers (6 partitions each, one member).
            Assert.Equal(6, Owned(NormalizerAssigned(), log));
            Assert.Equal(6, Owned(StatusAssigned(), log));
        }
        finally
        {
            await platform.DisposeAsync();
        }
    }

    private static int Owned(Regex line, string log) =>
        line.Matches(log).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(p => p.Split('@')[0])
            .Distinct()
            .Count();

    [GeneratedRegex(@"Partitions assigned: ([0-9,]+)")]
    private static partial Regex NormalizerAssigned();

    [GeneratedRegex(@"Assigned partitions \(resuming from the store's offsets\): ([^\r\n]+)")]
    private static partial Regex StatusAssigned();
}
