namespace Streaming.SchemaRegistry;

/// <summary>The outcome of a compatibility check: compatible, or the reasons it is not.</summary>
public sealed class CompatibilityResult
{
    public static readonly CompatibilityResult Compatible = new([]);

    public CompatibilityResult(IReadOnlyList<string> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages;
    }

    public bool IsCompatible => Messages.Count == 0;

    /// <summary>One readable line per incompatibility, naming the field path.</summary>
    public IReadOnlyList<string> Messages { get; }

    public override string ToString() => IsCompatible ? "compatible" : string.Join("; ", Messages);
}
