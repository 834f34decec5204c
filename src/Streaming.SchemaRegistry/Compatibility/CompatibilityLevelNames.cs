using System.Diagnostics.CodeAnalysis;

namespace Streaming.SchemaRegistry;

/// <summary>Maps <see cref="CompatibilityLevel"/> to and from the registry's names (<c>BACKWARD_TRANSITIVE</c>, ...).</summary>
public static class CompatibilityLevelNames
{
    /// <summary>The level a registry applies when none is configured, as Confluent's does.</summary>
    public const CompatibilityLevel Default = CompatibilityLevel.Backward;

    public static string ToName(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown compatibility level."),
    };

    /// <summary>Parses a registry name, case-insensitively as Confluent does.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out CompatibilityLevel? level)
    {
        level = name?.Trim().ToUpperInvariant() switch
        {
            "NONE" => CompatibilityLevel.None,
            "BACKWARD" => CompatibilityLevel.Backward,
            "BACKWARD_TRANSITIVE" => CompatibilityLevel.BackwardTransitive,
            "FORWARD" => CompatibilityLevel.Forward,
            "FORWARD_TRANSITIVE" => CompatibilityLevel.ForwardTransitive,
            "FULL" => CompatibilityLevel.Full,
            "FULL_TRANSITIVE" => CompatibilityLevel.FullTransitive,
            _ => null,
        };
        return level is not null;
    }

    public static CompatibilityLevel Parse(string name) =>
        TryParse(name, out var level)
            ? level.Value
            : throw new FormatException($"'{name}' is not a schema registry compatibility level.");
}
