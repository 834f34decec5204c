using System.Reflection;
using Avro;

namespace streaming.documents.v1;

/// <summary>contracts/avro/DocumentEvent.avsc, embedded in this assembly: the one schema the typed classes below follow.</summary>
public static class DocumentEventSchema
{
    /// <summary>The manifest resource name of the embedded contract.</summary>
    public const string ResourceName = "contracts/avro/DocumentEvent.avsc";

    /// <summary>The registry subject of documents.events.v1 values (Confluent's TopicNameStrategy).</summary>
    public const string RegistrySubject = "documents.events.v1-value";

    private static readonly Lazy<string> JsonText = new(ReadResource);
    private static readonly Lazy<RecordSchema> Parsed = new(() => (RecordSchema)Schema.Parse(JsonText.Value));

    /// <summary>The .avsc text exactly as in contracts/ (what a deployment registers).</summary>
    public static string Json => JsonText.Value;

    /// <summary>The parsed DocumentEvent record schema.</summary>
    public static RecordSchema Root => Parsed.Value;

    /// <summary>The Subject record, the non-null branch of DocumentEvent.subject.</summary>
    public static RecordSchema SubjectRecord => (RecordSchema)((UnionSchema)Field(Root, "subject")).Schemas.Single(s => s.Tag == Schema.Type.Record);

    /// <summary>The RawRecordRef record of DocumentEvent.source.</summary>
    public static RecordSchema SourceRecord => (RecordSchema)Field(Root, "source");

    /// <summary>The symbols of one of the contract's enums, by its simple name (EventType, DocumentStatus, KeySource, SubjectKind).</summary>
    public static IReadOnlyList<string> Symbols(string enumName)
    {
        var schema = Enum(Root, enumName, new HashSet<Schema>())
            ?? throw new ArgumentException($"DocumentEvent has no enum named {enumName}", nameof(enumName));
        return [.. schema.Symbols];
    }

    private static Schema Field(RecordSchema record, string name) =>
        (record.TryGetField(name, out var field) ? field : throw new InvalidOperationException($"{record.Fullname} has no field {name}")).Schema;

    private static EnumSchema? Enum(Schema schema, string name, HashSet<Schema> seen)
    {
        if (!seen.Add(schema))
        {
            return null;
        }

        return schema switch
        {
            EnumSchema e when e.Name == name => e,
            RecordSchema r => r.Fields.Select(f => Enum(f.Schema, name, seen)).FirstOrDefault(e => e is not null),
            UnionSchema u => u.Schemas.Select(s => Enum(s, name, seen)).FirstOrDefault(e => e is not null),
            _ => null,
        };
    }

    private static string ReadResource()
    {
        using var stream = typeof(DocumentEventSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing (see Streaming.Contracts.csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
