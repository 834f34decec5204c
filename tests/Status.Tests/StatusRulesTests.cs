using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;

namespace Streaming.Status.Tests;

public sealed class StatusRulesTests
{
    /// <summary>Applies events one at a time, in arrival order, exactly as the store does (late ones re-fold the history).</summary>
    private static DocumentSnapshot ApplyInArrivalOrder(IEnumerable<ProjectedEvent> arrivals, bool withDuplicates = false)
    {
        DocumentSnapshot? state = null;
        var history = new Dictionary<string, ProjectedEvent>();
        var now = 0L;
        foreach (var e in arrivals)
        {
            foreach (var _ in Enumerable.Range(0, withDuplicates ? 2 : 1))
            {
                if (!history.TryAdd(e.EventId, e))
                {
                    continue; // the store's ON CONFLICT DO NOTHING
                }

                state = StatusRules.Apply(state, e, () => history.Values, ++now);
            }
        }

        return state!;
    }

    [Fact]
    public void Every_arrival_order_of_a_seven_event_lifecycle_gives_the_same_state()
    {
        var events = Lifecycle.SevenEvents("doc");
        var expected = StatusRules.Fold(events, 0).WithoutUpdateTime();
        Assert.Equal(LifecycleStatus.Rejected, expected.Status);
        Assert.Equal("doc-reversed", expected.StatusEventId);
        Assert.Equal(7, expected.EventCount);

        var count = 0;
        foreach (var order in Lifecycle.Permutations(events))
        {
            Assert.Equal(expected, ApplyInArrivalOrder(order).WithoutUpdateTime());
            Assert.Equal(expected, ApplyInArrivalOrder(order, withDuplicates: true).WithoutUpdateTime());
            count++;
        }

        Assert.Equal(5040, count);
    }

    [Fact]
    public void Every_arrival_order_without_the_reversal_ends_COMPLETED()
    {
        var events = Lifecycle.SevenEvents("doc").Take(6).ToList();
        foreach (var order in Lifecycle.Permutations(events))
        {
            var state = ApplyInArrivalOrder(order);
            Assert.Equal(LifecycleStatus.Completed, state.Status);
            Assert.Equal("doc-completed", state.StatusEventId);
            Assert.Equal(Lifecycle.T0.AddMinutes(5).ToUnixTimeMilliseconds(), state.StatusChangedAtMs);
        }
    }

    [Fact]
    public void A_late_signed_never_demotes_a_completed_document()
    {
        var events = Lifecycle.SevenEvents("doc");
        var state = ApplyInArrivalOrder([events[5], events[3], events[1], events[0]]);
        Assert.Equal(LifecycleStatus.Completed, state.Status);
        Assert.Equal(4, state.EventCount);
    }

    [Fact]
    public void Between_terminal_statuses_the_later_occurred_at_wins_whatever_arrives_last()
    {
        var completed = Lifecycle.Event("doc", "c", LifecycleStatus.Completed, 10);
        var rejected = Lifecycle.Event("doc", "r", LifecycleStatus.Rejected, 5);
        Assert.Equal(LifecycleStatus.Completed, ApplyInArrivalOrder([completed, rejected]).Status);
        Assert.Equal(LifecycleStatus.Completed, ApplyInArrivalOrder([rejected, completed]).Status);
    }

    [Fact]
    public void Events_without_lifecycle_meaning_enter_the_history_but_do_not_move_the_status()
    {
        var events = Lifecycle.SevenEvents("doc");
        var state = ApplyInArrivalOrder([events[0], events[2]]);
        Assert.Equal(LifecycleStatus.Pending, state.Status);
        Assert.Equal("doc-sent", state.StatusEventId);
        Assert.Equal(2, state.EventCount);
        Assert.Equal("doc-bounced", state.LastEvent.EventId);
        Assert.Equal("mailer", state.Provider);

        var onlyUnknown = ApplyInArrivalOrder([events[2]]);
        Assert.Equal(LifecycleStatus.Unknown, onlyUnknown.Status);
        Assert.Equal("", onlyUnknown.StatusEventId);
    }

    [Fact]
    public void Status_changed_at_is_when_the_status_was_first_reached_not_repeated()
    {
        var viewed = Lifecycle.Event("doc", "v", LifecycleStatus.InProgress, 1);
        var signed = Lifecycle.Event("doc", "s", LifecycleStatus.InProgress, 3);
        var state = ApplyInArrivalOrder([signed, viewed]);
        Assert.Equal("v", state.StatusEventId);
        Assert.Equal(Lifecycle.T0.AddMinutes(1).ToUnixTimeMilliseconds(), state.StatusChangedAtMs);
    }

    [Fact]
    public void Test_flag_holds_only_while_every_event_is_a_test_delivery()
    {
        var a = Lifecycle.Event("doc", "a", LifecycleStatus.Pending, 1, test: true);
        var b = Lifecycle.Event("doc", "b", LifecycleStatus.InProgress, 2, test: false);
        Assert.True(ApplyInArrivalOrder([a]).Test);
        Assert.False(ApplyInArrivalOrder([b, a]).Test);
    }

    [Theory]
    [InlineData(LifecycleStatus.Pending, LifecycleStatus.InProgress, true)]
    [InlineData(LifecycleStatus.InProgress, LifecycleStatus.Pending, false)]
    [InlineData(LifecycleStatus.NeedsReview, LifecycleStatus.Completed, true)]
    [InlineData(LifecycleStatus.Completed, LifecycleStatus.NeedsReview, false)]
    [InlineData(LifecycleStatus.Completed, LifecycleStatus.Rejected, true)]
    [InlineData(LifecycleStatus.Rejected, LifecycleStatus.Completed, true)]
    [InlineData(LifecycleStatus.Completed, LifecycleStatus.Completed, false)]
    [InlineData(LifecycleStatus.Completed, LifecycleStatus.Unknown, false)]
    [InlineData(LifecycleStatus.Unknown, LifecycleStatus.Pending, true)]
    public void Moves_follows_the_status_order(LifecycleStatus current, LifecycleStatus incoming, bool moves) =>
        Assert.Equal(moves, StatusRules.Moves(current, incoming));
}
