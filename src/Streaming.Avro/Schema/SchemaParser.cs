using System.Text.Json;

namespace Streaming.Avro;

/// <summary>Turns schema JSON into <see cref="AvroSchema"/> objects, resolving names and validating as the spec requires.</summary>
internal sealed class SchemaParser
{
    private static readonly Dictionary<string, AvroType> Primitives = new(StringComparer.Ordinal)
    {
        ["null"] = AvroType.Null,
        ["boolean"] = AvroType.Boolean,
        ["int"] = AvroType.Int,
        ["long"] = AvroType.Long,
        ["float"] = AvroType.Float,
        ["double"] = AvroType.Double,
        ["bytes"] = AvroType.Bytes,
        ["string"] = AvroType.String,
    };

    private static readonly HashSet<string> NamedAttributes = ["type", "name", "namespace", "doc", "aliases"];
    private static readonly HashSet<string> RecordAttributes = [.. NamedAttributes, "fields"];
    private static readonly HashSet<string> EnumAttributes = [.. NamedAttributes, "symbols", "default"];
    private static readonly HashSet<string> FieldAttributes = ["name", "type", "default", "doc", "aliases", "order"];
    private static readonly HashSet<string> LogicalAttributes = ["logicalType", "precision", "scale"];

    private readonly Dictionary<string, NamedSchema> named = new(StringComparer.Ordinal);

    // Defaults are checked once every type is complete, because a default may be of the record being defined.
    private readonly List<(RecordSchema Record, RecordField Field)> defaultsToCheck = [];

    public static AvroSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new AvroSchemaException($"Schema is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var parser = new SchemaParser();
            AvroSchema schema = parser.ParseSchema(document.RootElement, null);
            foreach (var (record, field) in parser.defaultsToCheck)
            {
                if (!DefaultValue.IsValid(field.Type, field.Default!.Value))
                {
                    throw new AvroSchemaException(
                        $"Default value {field.Default.Value.GetRawText()} of field '{record.FullName}.{field.Name}' does not match its type {field.Type.ToJson()}" +
                        (field.Type.Type == AvroType.Union ? " (a union's default must match its first branch)" : string.Empty));
                }
            }

            return schema;
        }
    }

    private AvroSchema ParseSchema(JsonElement element, string? enclosingNamespace) => element.ValueKind switch
    {
        JsonValueKind.String => ResolveTypeName(element.GetString()!, enclosingNamespace),
        JsonValueKind.Array => ParseUnion(element, enclosingNamespace),
        JsonValueKind.Object => ParseObject(element, enclosingNamespace),
        _ => throw new AvroSchemaException($"A schema must be a type name, an object or an array, not {element.GetRawText()}"),
    };

    private AvroSchema ResolveTypeName(string name, string? enclosingNamespace)
    {
        if (Primitives.TryGetValue(name, out AvroType primitive))
        {
            return new PrimitiveSchema(primitive);
        }

        // A name without a dot is looked up in the enclosing namespace first, then in the null namespace.
        if (!name.Contains('.', StringComparison.Ordinal) && enclosingNamespace is not null
            && named.TryGetValue($"{enclosingNamespace}.{name}", out NamedSchema? inNamespace))
        {
            return inNamespace;
        }

        if (named.TryGetValue(name, out NamedSchema? schema))
        {
            return schema;
        }

        throw new AvroSchemaException(
            $"Unknown type '{name}'" + (enclosingNamespace is null ? string.Empty : $" (looked up in namespace '{enclosingNamespace}' too)") +
            "; a named type must be defined before it is referenced");
    }

    private UnionSchema ParseUnion(JsonElement element, string? enclosingNamespace)
    {
        var branches = new List<AvroSchema>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement item in element.EnumerateArray())
        {
            AvroSchema branch = ParseSchema(item, enclosingNamespace);
            if (branch.Type == AvroType.Union)
            {
                throw new AvroSchemaException($"A union may not directly contain another union: {element.GetRawText()}");
            }

            // Unnamed types are told apart by type alone (a logical type does not make a new type), named ones by full name.
            string key = branch.Describe();
            if (!seen.Add(key))
            {
                throw new AvroSchemaException($"A union may not contain '{key}' twice: {element.GetRawText()}");
            }

            branches.Add(branch);
        }

        return new UnionSchema(branches);
    }

    private AvroSchema ParseObject(JsonElement element, string? enclosingNamespace)
    {
        if (!element.TryGetProperty("type", out JsonElement typeElement))
        {
            throw new AvroSchemaException($"A schema object needs a \"type\": {Abbreviate(element)}");
        }

        if (typeElement.ValueKind != JsonValueKind.String)
        {
            throw new AvroSchemaException($"\"type\" of a schema object must be a type name: {Abbreviate(element)}");
        }

        string type = typeElement.GetString()!;
        if (Primitives.TryGetValue(type, out AvroType primitive))
        {
            return ParsePrimitive(element, primitive);
        }

        return type switch
        {
            "record" or "error" => ParseRecord(element, enclosingNamespace),
            "enum" => ParseEnum(element, enclosingNamespace),
            "fixed" => ParseFixed(element, enclosingNamespace),
            "array" => new ArraySchema(ParseSchema(Required(element, "items", "array"), enclosingNamespace), OtherProperties(element, "type", "items")),
            "map" => new MapSchema(ParseSchema(Required(element, "values", "map"), enclosingNamespace), OtherProperties(element, "type", "values")),
            _ => ResolveTypeName(type, enclosingNamespace),
        };
    }

    private static PrimitiveSchema ParsePrimitive(JsonElement element, AvroType type)
    {
        LogicalType? logical = RecogniseLogicalType(element, type, 0);
        return new PrimitiveSchema(type, logical, logical is null ? OtherProperties(element, "type") : OtherProperties(element, ["type", .. LogicalAttributes]));
    }

    private static LogicalType? RecogniseLogicalType(JsonElement element, AvroType type, int fixedSize)
    {
        if (!element.TryGetProperty("logicalType", out JsonElement name) || name.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return LogicalType.Recognise(name.GetString(), type, OptionalInt(element, "precision"), OptionalInt(element, "scale"), fixedSize);
    }

    private static int? OptionalInt(JsonElement element, string attribute) =>
        element.TryGetProperty(attribute, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int i) ? i : null;

    private RecordSchema ParseRecord(JsonElement element, string? enclosingNamespace)
    {
        var (name, ns) = ParseName(element, enclosingNamespace);
        var record = new RecordSchema(name, ns, ParseAliases(element, ns), OptionalString(element, "doc"), OtherProperties(element, RecordAttributes));
        Register(record);

        JsonElement fieldsElement = Required(element, "fields", "record");
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException($"\"fields\" of record '{record.FullName}' must be an array");
        }

        var fields = new List<RecordField>();
        var fieldNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement fieldElement in fieldsElement.EnumerateArray())
        {
            if (fieldElement.ValueKind != JsonValueKind.Object)
            {
                throw new AvroSchemaException($"A field of record '{record.FullName}' must be an object: {fieldElement.GetRawText()}");
            }

            string fieldName = RequiredString(fieldElement, "name", $"a field of record '{record.FullName}'");
            SchemaNames.ValidateName(fieldName, $"field name in record '{record.FullName}'");
            if (!fieldNames.Add(fieldName))
            {
                throw new AvroSchemaException($"Record '{record.FullName}' has two fields named '{fieldName}'");
            }

            AvroSchema fieldType = ParseSchema(Required(fieldElement, "type", $"field '{fieldName}' of record '{record.FullName}'"), record.Namespace);
            JsonElement? @default = fieldElement.TryGetProperty("default", out JsonElement d) ? d.Clone() : null;
            var field = new RecordField(
                fieldName,
                fieldType,
                fields.Count,
                @default,
                ParseFieldAliases(fieldElement, record.FullName),
                OptionalString(fieldElement, "doc"),
                ParseOrder(fieldElement, record.FullName, fieldName),
                OtherProperties(fieldElement, FieldAttributes) ?? new Dictionary<string, JsonElement>());
            fields.Add(field);
            if (@default is not null)
            {
                defaultsToCheck.Add((record, field));
            }
        }

        record.SetFields(fields);
        return record;
    }

    private EnumSchema ParseEnum(JsonElement element, string? enclosingNamespace)
    {
        var (name, ns) = ParseName(element, enclosingNamespace);
        string fullName = ns is null ? name : $"{ns}.{name}";
        JsonElement symbolsElement = Required(element, "symbols", "enum");
        if (symbolsElement.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException($"\"symbols\" of enum '{fullName}' must be an array");
        }

        var symbols = new List<string>();
        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement symbol in symbolsElement.EnumerateArray())
        {
            string value = symbol.ValueKind == JsonValueKind.String
                ? symbol.GetString()!
                : throw new AvroSchemaException($"Symbols of enum '{fullName}' must be strings, not {symbol.GetRawText()}");
            SchemaNames.ValidateName(value, $"symbol of enum '{fullName}'");
            if (!unique.Add(value))
            {
                throw new AvroSchemaException($"Enum '{fullName}' has the symbol '{value}' twice");
            }

            symbols.Add(value);
        }

        string? @default = OptionalString(element, "default");
        if (@default is not null && !unique.Contains(@default))
        {
            throw new AvroSchemaException($"Default '{@default}' of enum '{fullName}' is not one of its symbols");
        }

        var schema = new EnumSchema(name, ns, ParseAliases(element, ns), OptionalString(element, "doc"), symbols, @default, OtherProperties(element, EnumAttributes));
        Register(schema);
        return schema;
    }

    private FixedSchema ParseFixed(JsonElement element, string? enclosingNamespace)
    {
        var (name, ns) = ParseName(element, enclosingNamespace);
        JsonElement sizeElement = Required(element, "size", "fixed");
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out int size) || size < 0)
        {
            throw new AvroSchemaException($"\"size\" of fixed '{name}' must be a non-negative integer, not {sizeElement.GetRawText()}");
        }

        LogicalType? logical = RecogniseLogicalType(element, AvroType.Fixed, size);
        HashSet<string> known = [.. NamedAttributes, "size"];
        if (logical is not null)
        {
            known.UnionWith(LogicalAttributes);
        }

        var schema = new FixedSchema(name, ns, ParseAliases(element, ns), OptionalString(element, "doc"), size, logical, OtherProperties(element, known));
        Register(schema);
        return schema;
    }

    private static (string Name, string? Namespace) ParseName(JsonElement element, string? enclosingNamespace)
    {
        string name = RequiredString(element, "name", $"a {element.GetProperty("type").GetString()} schema");
        string? ns;
        int dot = name.LastIndexOf('.');
        if (dot >= 0)
        {
            // A dotted name is a full name; its namespace wins over any "namespace" attribute.
            SchemaNames.ValidateFullName(name, "type name");
            ns = name[..dot];
            name = name[(dot + 1)..];
        }
        else
        {
            SchemaNames.ValidateName(name, "type name");
            ns = element.TryGetProperty("namespace", out JsonElement nsElement) && nsElement.ValueKind != JsonValueKind.Null
                ? (nsElement.ValueKind == JsonValueKind.String ? nsElement.GetString() : throw new AvroSchemaException($"\"namespace\" of '{name}' must be a string"))
                : enclosingNamespace;
            if (!string.IsNullOrEmpty(ns))
            {
                SchemaNames.ValidateFullName(ns, $"namespace of '{name}'");
            }
        }

        if (Primitives.ContainsKey(name))
        {
            throw new AvroSchemaException($"'{name}' is a primitive type name and cannot name a record, enum or fixed");
        }

        return (name, string.IsNullOrEmpty(ns) ? null : ns);
    }

    private void Register(NamedSchema schema)
    {
        if (!named.TryAdd(schema.FullName, schema))
        {
            throw new AvroSchemaException($"Type '{schema.FullName}' is defined twice");
        }
    }

    private static List<string> ParseAliases(JsonElement element, string? ns)
    {
        var aliases = new List<string>();
        if (!element.TryGetProperty("aliases", out JsonElement array))
        {
            return aliases;
        }

        foreach (string alias in StringArray(array, "aliases"))
        {
            // Aliases are full names; an unqualified one is taken to be in the type's own namespace.
            SchemaNames.ValidateFullName(alias, "alias");
            aliases.Add(alias.Contains('.', StringComparison.Ordinal) || ns is null ? alias : $"{ns}.{alias}");
        }

        return aliases;
    }

    private static List<string> ParseFieldAliases(JsonElement element, string recordName)
    {
        var aliases = new List<string>();
        if (element.TryGetProperty("aliases", out JsonElement array))
        {
            foreach (string alias in StringArray(array, "aliases"))
            {
                SchemaNames.ValidateName(alias, $"field alias in record '{recordName}'");
                aliases.Add(alias);
            }
        }

        return aliases;
    }

    private static SortOrder ParseOrder(JsonElement element, string recordName, string fieldName)
    {
        string? order = OptionalString(element, "order");
        return order switch
        {
            null or "ascending" => SortOrder.Ascending,
            "descending" => SortOrder.Descending,
            "ignore" => SortOrder.Ignore,
            _ => throw new AvroSchemaException($"\"order\" of field '{recordName}.{fieldName}' must be ascending, descending or ignore, not '{order}'"),
        };
    }

    private static IEnumerable<string> StringArray(JsonElement array, string attribute)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException($"\"{attribute}\" must be an array of strings, not {array.GetRawText()}");
        }

        foreach (JsonElement item in array.EnumerateArray())
        {
            yield return item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new AvroSchemaException($"\"{attribute}\" must be an array of strings, not {array.GetRawText()}");
        }
    }

    private static JsonElement Required(JsonElement element, string attribute, string what) =>
        element.TryGetProperty(attribute, out JsonElement value)
            ? value
            : throw new AvroSchemaException($"{what} needs \"{attribute}\": {Abbreviate(element)}");

    private static string RequiredString(JsonElement element, string attribute, string what)
    {
        JsonElement value = Required(element, attribute, what);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new AvroSchemaException($"\"{attribute}\" of {what} must be a string, not {value.GetRawText()}");
    }

    private static string? OptionalString(JsonElement element, string attribute)
    {
        if (!element.TryGetProperty(attribute, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new AvroSchemaException($"\"{attribute}\" must be a string, not {value.GetRawText()}");
    }

    private static Dictionary<string, JsonElement>? OtherProperties(JsonElement element, params IReadOnlyCollection<string> known)
    {
        Dictionary<string, JsonElement>? properties = null;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                properties ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                properties[property.Name] = property.Value.Clone();
            }
        }

        return properties;
    }

    private static string Abbreviate(JsonElement element)
    {
        string raw = element.GetRawText();
        return raw.Length <= 200 ? raw : string.Concat(raw.AsSpan(0, 200), "...");
    }
}
