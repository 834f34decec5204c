using Streaming.Json;

namespace Streaming.Normalizer.Mapping;

/// <summary>
/// Reads a provider's mapping table from its markdown (contracts/mappings/&lt;provider&gt;.md), so the
/// document a reviewer checks against the vendor's doc is the one the normalizer runs.
/// </summary>
/// <remarks>
/// The "## Events" table needs the columns "provider event", "common event type" and "status"; "when",
/// "subject", "attributes" and "dedupe" are optional, any other column (notes) is for readers. The optional
/// "## Attributes" table has "attribute" and "pointer". Every symbol is checked against the contract.
/// </remarks>
public static class MappingTableParser
{
    public static MappingTable Parse(string provider, string markdown, MappingVocabulary vocabulary)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var events = ReadTable(lines, "## Events", provider)
            ?? throw new FormatException($"{provider}.md: no '## Events' table");
        var rows = new List<MappingRow>();
        foreach (var (line, cells) in events.Rows)
        {
            rows.Add(ParseRow(provider, line, events.Column(cells, "provider event", required: true)!, events, cells, vocabulary));
        }

        if (rows.Count == 0)
        {
            throw new FormatException($"{provider}.md: the events table has no rows");
        }

        var attributes = new List<AttributeRule>();
        if (ReadTable(lines, "## Attributes", provider) is { } attributeTable)
        {
            foreach (var (line, cells) in attributeTable.Rows)
            {
                var name = attributeTable.Column(cells, "attribute", required: true)!;
                var pointer = Pointer(provider, line, attributeTable.Column(cells, "pointer", required: true)!);
                attributes.Add(new AttributeRule(name, pointer));
            }
        }

        return new MappingTable(provider, rows, attributes);
    }

    private static MappingRow ParseRow(string provider, int line, string providerEvent, Table table, string[] cells, MappingVocabulary vocabulary)
    {
        var eventType = Symbol(provider, line, table.Column(cells, "common event type", required: true)!, vocabulary.EventTypes, "common event type");
        var status = Symbol(provider, line, table.Column(cells, "status", required: true)!, vocabulary.Statuses, "status");

        MappingCondition? when = null;
        if (table.Column(cells, "when") is { Length: > 0 } condition)
        {
            var eq = condition.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Error(provider, line, $"'when' must read '/pointer = value[, value]', not '{condition}'");
            }

            var values = condition[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length == 0)
            {
                throw Error(provider, line, "'when' names no value");
            }

            when = new MappingCondition(Pointer(provider, line, condition[..eq].Trim()), values);
        }

        SubjectRule? subject = null;
        if (table.Column(cells, "subject") is { Length: > 0 } subjectText && subjectText != "—")
        {
            var colon = subjectText.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Error(provider, line, $"'subject' must read 'kind: /pointer', not '{subjectText}'");
            }

            var kind = Symbol(provider, line, subjectText[..colon].Trim().ToUpperInvariant(), vocabulary.SubjectKinds, "subject kind");
            subject = new SubjectRule(kind, Pointer(provider, line, subjectText[(colon + 1)..].Trim()));
        }

        var attributes = new List<KeyValuePair<string, string>>();
        if (table.Column(cells, "attributes") is { Length: > 0 } attributeText)
        {
            foreach (var pair in attributeText.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw Error(provider, line, $"attributes must read 'name=value; ...', not '{pair}'");
                }

                attributes.Add(KeyValuePair.Create(pair[..eq].Trim(), pair[(eq + 1)..].Trim()));
            }
        }

        var dedupe = table.Column(cells, "dedupe") switch
        {
            null or "" or "event id" => DedupeIdentity.EventId,
            "token+event+subject" => DedupeIdentity.TokenEventSubject,
            var other => throw Error(provider, line, $"dedupe must be 'event id' or 'token+event+subject', not '{other}'"),
        };

        return new MappingRow(providerEvent, when, eventType, status, subject, attributes, dedupe, line);
    }

    private static string Symbol(string provider, int line, string value, IReadOnlySet<string> allowed, string what) =>
        allowed.Contains(value) ? value : throw Error(provider, line, $"'{value}' is not a {what} of the contract ({string.Join(", ", allowed)})");

    private static JsonPointer Pointer(string provider, int line, string text)
    {
        try
        {
            return JsonPointer.Parse(text);
        }
        catch (FormatException e)
        {
            throw Error(provider, line, e.Message);
        }
    }

    private static FormatException Error(string provider, int line, string message) => new($"{provider}.md line {line}: {message}");

    private static Table? ReadTable(string[] lines, string heading, string provider)
    {
        var start = Array.FindIndex(lines, l => l.Trim().Equals(heading, StringComparison.OrdinalIgnoreCase));
        if (start < 0)
        {
            return null;
        }

        var i = start + 1;
        while (i < lines.Length && !lines[i].TrimStart().StartsWith('|'))
        {
            if (lines[i].StartsWith('#'))
            {
                return null;
            }

            i++;
        }

        if (i + 1 >= lines.Length)
        {
            throw new FormatException($"{provider}.md: '{heading}' has no table");
        }

        var header = Cells(lines[i]).Select(h => h.ToLowerInvariant()).ToArray();
        var rows = new List<(int, string[])>();
        for (i += 2; i < lines.Length && lines[i].TrimStart().StartsWith('|'); i++)
        {
            var cells = Cells(lines[i]);
            if (cells.Length != header.Length)
            {
                throw new FormatException($"{provider}.md line {i + 1}: {cells.Length} cells, the header has {header.Length}");
            }

            rows.Add((i + 1, cells));
        }

        return new Table(provider, header, rows);
    }

    private static string[] Cells(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith('|'))
        {
            trimmed = trimmed[1..];
        }

        if (trimmed.EndsWith('|'))
        {
            trimmed = trimmed[..^1];
        }

        return trimmed.Split('|').Select(c => c.Trim().Trim('`').Trim()).ToArray();
    }

    private sealed record Table(string Provider, string[] Header, List<(int Line, string[] Cells)> Rows)
    {
        public string? Column(string[] cells, string name, bool required = false)
        {
            var index = Array.IndexOf(Header, name);
            if (index < 0)
            {
                return required ? throw new FormatException($"{Provider}.md: the table has no '{name}' column") : null;
            }

            return cells[index];
        }
    }
}
