using Streaming.Status.Projection;

namespace Streaming.Status.Tests.Support;

/// <summary>Realistic event sequences for one document, and helpers to permute them.</summary>
public static class Lifecycle
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static ProjectedEvent Event(
        string token,
        string id,
        LifecycleStatus status,
        int minute,
        string provider = "insigner",
        string type = "DOCUMENT_VIEWED",
        bool test = false,
        int receivedDelaySeconds = 1) => new(
            id,
            token,
            provider,
            type.ToLowerInvariant().Replace('_', '.'),
            type,
            status,
            T0.AddMinutes(minute).ToUnixTimeMilliseconds(),
            T0.AddMinutes(minute).AddSeconds(receivedDelaySeconds).ToUnixTimeMilliseconds(),
            test,
            "signer:1",
            "documents.events.v1",
            0,
            minute);

    /// <summary>
    /// An e-signature envelope: link sent, viewed, an email bounced (no lifecycle meaning), one signer signed, review,
    /// completed, then the approval reversed (rejected later). Final: REJECTED, set by the reversal.
    /// </summary>
    public static IReadOnlyList<ProjectedEvent> SevenEvents(string token) =>
    [
        Event(token, token + "-sent", LifecycleStatus.Pending, 0, type: "LINK_SENT"),
        Event(token, token + "-viewed", LifecycleStatus.InProgress, 1, type: "LINK_VIEWED"),
        Event(token, token + "-bounced", LifecycleStatus.Unknown, 2, provider: "mailer", type: "NOTIFICATION_FAILED"),
        Event(token, token + "-signed", LifecycleStatus.InProgress, 3, type: "SIGNER_SIGNED"),
        Event(token, token + "-review", LifecycleStatus.NeedsReview, 4, type: "VERIFICATION_REVIEW"),
        Event(token, token + "-completed", LifecycleStatus.Completed, 5, type: "DOCUMENT_COMPLETED"),
        Event(token, token + "-reversed", LifecycleStatus.Rejected, 6, type: "CUSTOMER_REJECTED"),
    ];

    /// <summary>A shorter lifecycle for the store suites: pending, signed, bounce, completed, a late reversal.</summary>
    public static IReadOnlyList<ProjectedEvent> FiveEvents(string token) =>
    [
        Event(token, token + "-sent", LifecycleStatus.Pending, 0, type: "LINK_SENT", test: true),
        Event(token, token + "-signed", LifecycleStatus.InProgress, 1, type: "SIGNER_SIGNED", test: true),
        Event(token, token + "-bounced", LifecycleStatus.Unknown, 2, provider: "mailer", type: "NOTIFICATION_FAILED", test: true),
        Event(token, token + "-completed", LifecycleStatus.Completed, 3, type: "DOCUMENT_COMPLETED", test: true),
        Event(token, token + "-reversed", LifecycleStatus.Rejected, 4, type: "CUSTOMER_REJECTED", test: true),
    ];

    public static IEnumerable<T[]> Permutations<T>(IReadOnlyList<T> items)
    {
        var indexes = Enumerable.Range(0, items.Count).ToArray();
        while (true)
        {
            yield return indexes.Select(i => items[i]).ToArray();
            // Next lexicographic permutation.
            var i = indexes.Length - 2;
            while (i >= 0 && indexes[i] >= indexes[i + 1])
            {
                i--;
            }

            if (i < 0)
            {
                yield break;
            }

            var j = indexes.Length - 1;
            while (indexes[j] <= indexes[i])
            {
                j--;
            }

            (indexes[i], indexes[j]) = (indexes[j], indexes[i]);
            Array.Reverse(indexes, i + 1, indexes.Length - i - 1);
        }
    }
}
