using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Streaming.Avro;

/// <summary>Writes schemas back as JSON: the full form, and the spec's Parsing Canonical Form.</summary>
internal static class SchemaJsonWriter
{
    private static readonly JsonWriterOptions FullOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parsing Canonical Form: primitives as bare names, full names everywhere, only name/type/fields/symbols/
    /// items/values/size in that order, no whitespace. Names and symbols are restricted to [A-Za-z0-9_.],
    /// so no string needs escaping.
    /// </summary>
    public static string WriteCanonical(AvroSchema schema)
    {
        var sb = new StringBuilder();
        WriteCanonical(schema, sb, new HashSet<string>(StringComparer.Ordinal));
        return sb.ToString();
    }

    private static void WriteCanonical(AvroSchema schema, StringBuilder sb, HashSet<string> defined)
    {
        // A named type is written out once; later occurrences are its full name.
        if (schema is NamedSchema named && !defined.Add(named.FullName))
        {
            sb.Append('"').Append(named.FullName).Append('"');
            return;
        }

        switch (schema)
        {
            case PrimitiveSchema p:
                sb.Append('"').Append(AvroSchema.TypeName(p.Type)).Append('"');
                break;
            case RecordSchema r:
                sb.Append("{\"name\":\"").Append(r.FullName).Append("\",\"type\":\"record\",\"fields\":[");
                for (int i = 0; i < r.Fields.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ",").Append("{\"name\":\"").Append(r.Fields[i].Name).Append("\",\"type\":");
                    WriteCanonical(r.Fields[i].Type, sb, defined);
                    sb.Append('}');
                }

                sb.Append("]}");
                break;
            case EnumSchema e:
                sb.Append("{\"name\":\"").Append(e.FullName).Append("\",\"type\":\"enum\",\"symbols\":[")
                    .AppendJoin(',', e.Symbols.Select(s => $"\"{s}\"")).Append("]}");
                break;
            case FixedSchema f:
                sb.Append("{\"name\":\"").Append(f.FullName).Append("\",\"type\":\"fixed\",\"size\":")
                    .Append(f.Size.ToString(CultureInfo.InvariantCulture)).Append('}');
                break;
            case ArraySchema a:
                sb.Append("{\"type\":\"array\",\"items\":");
                WriteCanonical(a.Items, sb, defined);
                sb.Append('}');
                break;
            case MapSchema m:
                sb.Append("{\"type\":\"map\",\"values\":");
                WriteCanonical(m.Values, sb, defined);
                sb.Append('}');
                break;
            case UnionSchema u:
                sb.Append('[');
                for (int i = 0; i < u.Branches.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ",");
                    WriteCanonical(u.Branches[i], sb, defined);
                }

                sb.Append(']');
                break;
        }
    }

    public static string WriteFull(AvroSchema schema)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, FullOptions))
        {
            WriteFull(schema, writer, null, new HashSet<string>(StringComparer.Ordinal));
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteFull(AvroSchema schema, Utf8JsonWriter w, string? enclosingNamespace, HashSet<string> defined)
    {
        if (schema is NamedSchema named && !defined.Add(named.FullName))
        {
            w.WriteStringValue(named.Namespace == enclosingNamespace ? named.Name : named.FullName);
            return;
        }

        switch (schema)
        {
            case PrimitiveSchema p when p.LogicalType is null && p.Properties.Count == 0:
                w.WriteStringValue(AvroSchema.TypeName(p.Type));
                break;
            case PrimitiveSchema p:
                w.WriteStartObject();
                w.WriteString("type", AvroSchema.TypeName(p.Type));
                WriteLogicalType(p.LogicalType, w);
                WriteProperties(p.Properties, w);
                w.WriteEndObject();
                break;
            case NamedSchema n:
                w.WriteStartObject();
                w.WriteString("type", AvroSchema.TypeName(n.Type));
                w.WriteString("name", n.Name);
                if (n.Namespace != enclosingNamespace)
                {
                    w.WriteString("namespace", n.Namespace ?? string.Empty);
                }

                if (n.Doc is not null)
                {
                    w.WriteString("doc", n.Doc);
                }

                WriteStrings("aliases", n.Aliases, w);
                WriteNamedBody(n, w, defined);
                WriteProperties(n.Properties, w);
                w.WriteEndObject();
                break;
            case ArraySchema a:
                w.WriteStartObject();
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                WriteFull(a.Items, w, enclosingNamespace, defined);
                WriteProperties(a.Properties, w);
                w.WriteEndObject();
                break;
            case MapSchema m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WritePropertyName("values");
                WriteFull(m.Values, w, enclosingNamespace, defined);
                WriteProperties(m.Properties, w);
                w.WriteEndObject();
                break;
            case UnionSchema u:
                w.WriteStartArray();
                foreach (AvroSchema branch in u.Branches)
                {
                    WriteFull(branch, w, enclosingNamespace, defined);
                }

                w.WriteEndArray();
                break;
        }
    }

    private static void WriteNamedBody(NamedSchema schema, Utf8JsonWriter w, HashSet<string> defined)
    {
        switch (schema)
        {
            case RecordSchema r:
                w.WriteStartArray("fields");
                foreach (RecordField field in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", field.Name);
                    w.WritePropertyName("type");
                    WriteFull(field.Type, w, r.Namespace, defined);
                    if (field.Default is { } @default)
                    {
                        w.WritePropertyName("default");
                        @default.WriteTo(w);
                    }

                    if (field.Doc is not null)
                    {
                        w.WriteString("doc", field.Doc);
                    }

                    if (field.Order != SortOrder.Ascending)
                    {
                        w.WriteString("order", field.Order == SortOrder.Descending ? "descending" : "ignore");
                    }

                    WriteStrings("aliases", field.Aliases, w);
                    WriteProperties(field.Properties, w);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case EnumSchema e:
                WriteStrings("symbols", e.Symbols, w, always: true);
                if (e.Default is not null)
                {
                    w.WriteString("default", e.Default);
                }

                break;
            case FixedSchema f:
                w.WriteNumber("size", f.Size);
                WriteLogicalType(f.LogicalType, w);
                break;
        }
    }

    private static void WriteLogicalType(LogicalType? logical, Utf8JsonWriter w)
    {
        if (logical is null)
        {
            return;
        }

        w.WriteString("logicalType", logical.Name);
        if (logical.Name == LogicalType.Decimal)
        {
            w.WriteNumber("precision", logical.Precision);
            w.WriteNumber("scale", logical.Scale);
        }
    }

    private static void WriteStrings(string name, IReadOnlyList<string> values, Utf8JsonWriter w, bool always = false)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (string value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteProperties(IReadOnlyDictionary<string, JsonElement> properties, Utf8JsonWriter w)
    {
        foreach (var (name, value) in properties)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }
}
