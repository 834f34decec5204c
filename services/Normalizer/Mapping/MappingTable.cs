using Streaming.Json;

namespace Streaming.Normalizer.Mapping;

/// <summary>One provider's mapping: its event rows (first match wins) and the attributes kept from every payload.</summary>
public sealed class MappingTable
{
    private readonly Dictionary<string, MappingRow[]> _rowsByEvent;
    private readonly Dictionary<string, MappingRow[]> _rowsByTolerantEvent;

    public MappingTable(string provider, IReadOnlyList<MappingRow> rows, IReadOnlyList<AttributeRule> attributes)
    {
        Provider = provider;
        Rows = rows;
        Attributes = attributes;
        _rowsByEvent = rows.GroupBy(r => r.ProviderEvent, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _rowsByTolerantEvent = rows.GroupBy(r => Tolerant(r.ProviderEvent), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    public string Provider { get; }

    public IReadOnlyList<MappingRow> Rows { get; }

    public IReadOnlyList<AttributeRule> Attributes { get; }

    /// <summary>
    /// The first row for the event whose condition holds on the payload, or null. The event name is
    /// matched exactly first; failing that, ignoring case, surrounding white space and trailing full
    /// stops, since vendors' own docs write names such as "document.verification.success." and a
    /// sender may follow the doc to the letter.
    /// </summary>
    public MappingRow? Find(string providerEvent, System.Text.Json.JsonElement payload)
    {
        if (!_rowsByEvent.TryGetValue(providerEvent, out var rows)
            && !_rowsByTolerantEvent.TryGetValue(Tolerant(providerEvent), out rows))
        {
            return null;
        }

        foreach (var row in rows)
        {
            if (row.When is null || row.When.Matches(payload))
            {
                return row;
            }
        }

        return null;
    }

    private static string Tolerant(string providerEvent) => providerEvent.Trim().TrimEnd('.').TrimEnd();
}

/// <summary>One line of a mapping table.</summary>
public sealed record MappingRow(
    string ProviderEvent,
    MappingCondition? When,
    string EventType,
    string Status,
    SubjectRule? Subject,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    DedupeIdentity Dedupe,
    int Line);

/// <summary>"pointer = value1, value2": holds when the pointer's scalar equals one of the values (case-insensitive).</summary>
public sealed record MappingCondition(JsonPointer At, IReadOnlyList<string> Values)
{
    public bool Matches(System.Text.Json.JsonElement payload) =>
        At.Scalar(payload) is { } value && Values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"{At} = {string.Join(", ", Values)}";
}

/// <summary>"kind: pointer": the subject's kind (a SubjectKind symbol) and where its id is.</summary>
public sealed record SubjectRule(string Kind, JsonPointer At);

/// <summary>An attribute copied from every payload of a provider.</summary>
public sealed record AttributeRule(string Name, JsonPointer At);

/// <summary>What makes two deliveries the same event.</summary>
public enum DedupeIdentity
{
    /// <summary>The raw record's event-id header (the provider's id, else the body hash).</summary>
    EventId,

    /// <summary>(document token, provider event, subject id): for events that happen once per document or signer.</summary>
    TokenEventSubject,
}

/// <summary>The vocabulary the tables may use: the contract's enum symbols.</summary>
public sealed record MappingVocabulary(IReadOnlySet<string> EventTypes, IReadOnlySet<string> Statuses, IReadOnlySet<string> SubjectKinds)
{
    public static MappingVocabulary FromContract() => new(
        streaming.documents.v1.DocumentEventSchema.Symbols("EventType").ToHashSet(StringComparer.Ordinal),
        streaming.documents.v1.DocumentEventSchema.Symbols("DocumentStatus").ToHashSet(StringComparer.Ordinal),
        streaming.documents.v1.DocumentEventSchema.Symbols("SubjectKind").ToHashSet(StringComparer.Ordinal));
}
