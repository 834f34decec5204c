namespace Streaming.Avro;

/// <summary>
/// Static schema compatibility: whether every datum a writer schema can produce resolves against a reader schema,
/// using exactly the rules <see cref="AvroDeserializer"/> applies to data, plus the registry's compatibility levels.
/// </summary>
public static class SchemaCompatibility
{
    public static CompatibilityResult CheckCanRead(AvroSchema reader, AvroSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);

        // Every problem in the plan is data the writer can produce and the reader cannot read.
        ReadPlan root = new ResolutionPlanner().Plan(writer, reader, string.Empty);
        var messages = new List<string>();
        var visited = new HashSet<ReadPlan>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ReadPlan>([root]);
        while (pending.TryPop(out ReadPlan? plan))
        {
            if (!visited.Add(plan))
            {
                continue;
            }

            messages.AddRange(plan.Problems.Where(m => !messages.Contains(m)));
            foreach (ReadPlan child in plan.Children.Reverse())
            {
                pending.Push(child);
            }
        }

        return messages.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(messages);
    }

    /// <summary>
    /// Checks a candidate schema against a subject's existing schemas (newest first) at a registry compatibility level:
    /// backward means the candidate reads old data, forward means old schemas read the candidate's data,
    /// and the transitive levels check every existing schema instead of only the newest.
    /// </summary>
    public static CompatibilityResult Check(AvroSchema candidate, IEnumerable<AvroSchema> existingNewestFirst, CompatibilityLevel level)
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
        foreach (AvroSchema existing in transitive ? existingNewestFirst : existingNewestFirst.Take(1))
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
