using Avro;

namespace Streaming.SchemaRegistry;

/// <summary>
/// The registry's compatibility levels on top of <see cref="SchemaResolution"/>: which existing schemas a candidate
/// is checked against, in which direction, with the reasons a registration is refused.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>Whether <paramref name="reader"/> reads every datum <paramref name="writer"/> can write, with the reasons when not.</summary>
    public static CompatibilityResult CheckCanRead(Schema reader, Schema writer)
    {
        var problems = SchemaResolution.Problems(reader, writer);
        return problems.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(problems);
    }

    /// <summary>
    /// Checks a candidate schema against a subject's existing schemas (newest first) at a registry compatibility level:
    /// backward means the candidate reads old data, forward means old schemas read the candidate's data,
    /// and the transitive levels check every existing schema instead of only the newest.
    /// </summary>
    public static CompatibilityResult Check(Schema candidate, IEnumerable<Schema> existingNewestFirst, CompatibilityLevel level)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existingNewestFirst);
        if (level == CompatibilityLevel.None)
        {
            return CompatibilityResult.Compatible;
        }

        bool transitive = level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;
        bool backward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        bool forward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;

        var messages = new List<string>();
        int index = 0;
        foreach (Schema existing in transitive ? existingNewestFirst : existingNewestFirst.Take(1))
        {
            string which = index == 0 ? "the newest existing schema" : $"existing schema #{index} (0 = newest)";
            if (backward)
            {
                messages.AddRange(CheckCanRead(candidate, existing).Messages.Select(m => $"new schema cannot read data written with {which}: {m}"));
            }

            if (forward)
            {
                messages.AddRange(CheckCanRead(existing, candidate).Messages.Select(m => $"{which} cannot read data written with the new schema: {m}"));
            }

            index++;
        }

        return messages.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(messages);
    }
}
