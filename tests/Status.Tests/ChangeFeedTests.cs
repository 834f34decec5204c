using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Status.Watching;

namespace Streaming.Status.Tests;

public sealed class ChangeFeedTests
{
    private static DocumentChange Change(string token, int minute)
    {
        var e = Lifecycle.Event(token, $"{token}-{minute}", LifecycleStatus.InProgress, minute);
        return new DocumentChange(StatusRules.Fold([e], 0), e);
    }

    [Fact]
    public async Task A_watcher_gets_only_its_document_and_a_watch_all_gets_everything()
    {
        var feed = new ChangeFeed();
        using var one = feed.Subscribe("a", 10);
        using var all = feed.Subscribe("", 10);

        feed.Publish([Change("a", 1), Change("b", 2)]);

        Assert.Equal("a", (await one.Reader.ReadAsync()).Document.DocumentToken);
        Assert.False(one.Reader.TryRead(out _));
        Assert.Equal(["a", "b"], [(await all.Reader.ReadAsync()).Document.DocumentToken, (await all.Reader.ReadAsync()).Document.DocumentToken]);
    }

    [Fact]
    public async Task A_slow_watcher_is_dropped_with_a_clear_reason_instead_of_blocking_the_projection()
    {
        var feed = new ChangeFeed();
        using var slow = feed.Subscribe("", 2);

        feed.Publish([Change("a", 1), Change("a", 2), Change("a", 3)]);

        Assert.Equal(0, feed.WatcherCount);
        await slow.Reader.ReadAsync();
        await slow.Reader.ReadAsync();
        var error = await Assert.ThrowsAsync<WatcherOverflowException>(async () => await slow.Reader.WaitToReadAsync());
        Assert.Contains("fell more than 2 changes behind", error.Message, StringComparison.Ordinal);
    }
}
