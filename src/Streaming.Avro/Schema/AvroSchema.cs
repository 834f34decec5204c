using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Streaming.Avro;

/// <summary>A parsed, immutable Avro schema; parse one with <see cref="Parse"/>.</summary>
public abstract class AvroSchema
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoProperties =
        FrozenDictionary<string, JsonElement>.Empty;

    private string? canonicalForm;

    private protected AvroSchema(IReadOnlyDictionary<string, JsonElement>? properties)
    {
        Properties = properties ?? NoProperties;
    }

    public abstract AvroType Type { get; }

    /// <summary>
    /// Attributes the spec does not define for this schema (including a logical type this library
    /// does not recognise), kept so that <see cref="ToJson"/> gives back what was parsed.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }

    /// <summary>Parses a schema document (a type name, a schema object or a union array).</summary>
    /// <exception cref="AvroSchemaException">The document is not a valid Avro schema.</exception>
    public static AvroSchema Parse(string json) => SchemaParser.Parse(json);

    /// <summary>The Parsing Canonical Form from the Avro specification: what identifies how data is laid out.</summary>
    public string ToCanonicalForm() => canonicalForm ??= SchemaJsonWriter.WriteCanonical(this);

    /// <summary>The whole schema as compact JSON, keeping doc, aliases, defaults, logical types and custom attributes.</summary>
    public string ToJson() => SchemaJsonWriter.WriteFull(this);

    /// <summary>The CRC-64-AVRO (Rabin) fingerprint of the canonical form, as the spec defines it.</summary>
    public long Fingerprint64() => RabinFingerprint.Compute(Encoding.UTF8.GetBytes(ToCanonicalForm()));

    public override string ToString() => ToJson();

    /// <summary>The spelling of a type in schema JSON ("int", "record", ...).</summary>
    internal static string TypeName(AvroType type) => type switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        AvroType.Record => "record",
        AvroType.Enum => "enum",
        AvroType.Array => "array",
        AvroType.Map => "map",
        AvroType.Union => "union",
        AvroType.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A short description for error messages: the full name of a named type, else the type name.</summary>
    internal string Describe() => this is NamedSchema named ? named.FullName : TypeName(Type);
}
