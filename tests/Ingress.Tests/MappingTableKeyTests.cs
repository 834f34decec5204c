using System.Text.RegularExpressions;
using Streaming.Ingress.Providers;

namespace Streaming.Ingress.Tests;

/// <summary>
/// The ingress's built-in key pointers are the ones each provider's mapping table (contracts/mappings) names,
/// so the table a reviewer reads says exactly which fields may key a record: a correlation id only where the
/// table calls that field a document identity.
/// </summary>
public sealed partial class MappingTableKeyTests
{
    public static TheoryData<string> Providers() => new(BuiltInProfiles.All.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Providers))]
    public void Document_token_pointers_are_the_ones_the_mapping_table_names(string provider)
    {
        Assert.Equal(PointersOnLine(provider, "Document token:"), BuiltInProfiles.All[provider].DocumentTokenPointers);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Correlation_key_pointers_are_the_ones_the_mapping_table_names(string provider)
    {
        Assert.Equal(PointersOnLine(provider, "Correlation key"), BuiltInProfiles.All[provider].CorrelationIdPointers);
    }

    [Fact]
    public void Inkless_has_no_correlation_key_because_a_signing_link_is_not_a_document()
    {
        Assert.Empty(BuiltInProfiles.All[BuiltInProfiles.Inkless].CorrelationIdPointers);
    }

    /// <summary>The `/json/pointers` in the paragraph that starts with <paramref name="label"/>, in order.</summary>
    private static List<string> PointersOnLine(string provider, string label)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "mappings", provider + ".md");
        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, l => l.StartsWith(label, StringComparison.Ordinal));
        Assert.True(start >= 0, $"{provider}.md has no line starting with '{label}'");
        var paragraph = string.Join(' ', lines.Skip(start).TakeWhile((l, i) => i == 0 || (l.Length > 0 && !StartsNewStatement(l))));
        return Pointer().Matches(paragraph).Select(m => m.Groups[1].Value).ToList();
    }

    private static bool StartsNewStatement(string line) =>
        line.StartsWith("Correlation key", StringComparison.Ordinal) || line.StartsWith("Document token", StringComparison.Ordinal)
        || line.StartsWith("Provider event", StringComparison.Ordinal) || line.StartsWith("Event id", StringComparison.Ordinal)
        || line.StartsWith('#') || line.StartsWith('|') || line.StartsWith('-');

    [GeneratedRegex("`(/[^`]*)`")]
    private static partial Regex Pointer();
}
