using Avro;

namespace streaming.documents.status.v1;

/// <summary>contracts/avro/DocumentStatus.avsc, embedded in this assembly: the one schema the typed status snapshot follows.</summary>
public static class DocumentStatusSchema
{
    /// <summary>The manifest resource name of the embedded contract.</summary>
    public const string ResourceName = "contracts/avro/DocumentStatus.avsc";

    /// <summary>The registry subject of documents.status.v1 values (Confluent's TopicNameStrategy).</summary>
    public const string RegistrySubject = "documents.status.v1-value";

    private static readonly Lazy<string> JsonText = new(ReadResource);
    private static readonly Lazy<RecordSchema> Parsed = new(() => (RecordSchema)Schema.Parse(JsonText.Value));

    /// <summary>The .avsc text exactly as in contracts/ (what a deployment registers).</summary>
    public static string Json => JsonText.Value;

    /// <summary>The parsed DocumentStatus record schema.</summary>
    public static RecordSchema Root => Parsed.Value;

    /// <summary>The EventSummary record of DocumentStatus.last_event.</summary>
    public static RecordSchema EventSummaryRecord => (RecordSchema)FieldSchema("last_event");

    /// <summary>The symbols of the LifecycleStatus enum.</summary>
    public static IReadOnlyList<string> LifecycleSymbols => [.. ((EnumSchema)FieldSchema("status")).Symbols];

    private static Schema FieldSchema(string name) =>
        (Root.TryGetField(name, out var found) ? found : throw new InvalidOperationException($"DocumentStatus has no field {name}")).Schema;

    private static string ReadResource()
    {
        using var stream = typeof(DocumentStatusSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing (see Streaming.Contracts.csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
