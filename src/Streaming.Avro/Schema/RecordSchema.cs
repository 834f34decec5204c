using System.Text.Json;

namespace Streaming.Avro;

/// <summary>A record type: an ordered list of named, typed fields.</summary>
public sealed class RecordSchema : NamedSchema
{
    private IReadOnlyList<RecordField> fields = [];
    private Dictionary<string, RecordField> fieldsByName = new(StringComparer.Ordinal);

    internal RecordSchema(string name, string? @namespace, IReadOnlyList<string> aliases, string? doc, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(name, @namespace, aliases, doc, properties)
    {
    }

    public override AvroType Type => AvroType.Record;

    public IReadOnlyList<RecordField> Fields => fields;

    public RecordField? GetField(string name) => fieldsByName.GetValueOrDefault(name);

    public bool TryGetField(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RecordField? field) =>
        fieldsByName.TryGetValue(name, out field);

    // Fields are attached after the record is registered by name, so that a field can refer to its own record.
    internal void SetFields(IReadOnlyList<RecordField> value)
    {
        fields = value;
        fieldsByName = value.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}

/// <summary>One field of a record schema.</summary>
public sealed class RecordField
{
    internal RecordField(string name, AvroSchema type, int position, JsonElement? @default, IReadOnlyList<string> aliases, string? doc, SortOrder order, IReadOnlyDictionary<string, JsonElement> properties)
    {
        Name = name;
        Type = type;
        Position = position;
        Default = @default;
        Aliases = aliases;
        Doc = doc;
        Order = order;
        Properties = properties;
    }

    public string Name { get; }

    public AvroSchema Type { get; }

    /// <summary>Zero-based position in the record, which is also the order of the binary encoding.</summary>
    public int Position { get; }

    /// <summary>The default as written in the schema (null when there is none; a JSON null is a present default).</summary>
    public JsonElement? Default { get; }

    public IReadOnlyList<string> Aliases { get; }

    public string? Doc { get; }

    public SortOrder Order { get; }

    /// <summary>Attributes the spec does not define for fields.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }
}
