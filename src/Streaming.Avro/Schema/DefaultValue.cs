using System.Text.Json;

namespace Streaming.Avro;

/// <summary>Field defaults: checking them against their schema, and turning them into data when a reader needs one.</summary>
internal static class DefaultValue
{
    public static bool IsValid(AvroSchema schema, JsonElement value) => schema switch
    {
        PrimitiveSchema p => p.Type switch
        {
            AvroType.Null => value.ValueKind == JsonValueKind.Null,
            AvroType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            AvroType.Int => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            AvroType.Long => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            AvroType.Float or AvroType.Double => value.ValueKind == JsonValueKind.Number,
            AvroType.Bytes => IsByteString(value),
            AvroType.String => value.ValueKind == JsonValueKind.String,
            _ => false,
        },
        FixedSchema f => IsByteString(value) && value.GetString()!.Length == f.Size,
        EnumSchema e => value.ValueKind == JsonValueKind.String && e.IndexOf(value.GetString()!) >= 0,
        ArraySchema a => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(item => IsValid(a.Items, item)),
        MapSchema m => value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => IsValid(m.Values, p.Value)),
        UnionSchema u => u.Branches.Count > 0 && IsValid(u.Branches[0], value),
        RecordSchema r => value.ValueKind == JsonValueKind.Object && r.Fields.All(field =>
            value.TryGetProperty(field.Name, out JsonElement fieldValue) ? IsValid(field.Type, fieldValue) : field.Default is not null),
        _ => false,
    };

    /// <summary>The datum a default stands for, in the generic data model (logical types applied).</summary>
    public static object? ToDatum(AvroSchema schema, JsonElement value)
    {
        object? raw = schema switch
        {
            PrimitiveSchema p => p.Type switch
            {
                AvroType.Null => null,
                AvroType.Boolean => value.GetBoolean(),
                AvroType.Int => value.GetInt32(),
                AvroType.Long => value.GetInt64(),
                AvroType.Float => value.GetSingle(),
                AvroType.Double => value.GetDouble(),
                AvroType.Bytes => ByteString(value),
                AvroType.String => value.GetString(),
                _ => throw new InvalidOperationException(),
            },
            FixedSchema f => new GenericFixed(f, ByteString(value)),
            EnumSchema e => new GenericEnum(e, value.GetString()!),
            ArraySchema a => value.EnumerateArray().Select(item => ToDatum(a.Items, item)).ToList(),
            MapSchema m => value.EnumerateObject().ToDictionary(p => p.Name, p => ToDatum(m.Values, p.Value), StringComparer.Ordinal),
            UnionSchema u => ToDatum(u.Branches[0], value),
            RecordSchema r => RecordFromJson(r, value),
            _ => throw new InvalidOperationException(),
        };
        return schema is UnionSchema ? raw : LogicalValues.FromRaw(schema, raw);
    }

    private static GenericRecord RecordFromJson(RecordSchema schema, JsonElement value)
    {
        var record = new GenericRecord(schema);
        foreach (RecordField field in schema.Fields)
        {
            JsonElement fieldValue = value.TryGetProperty(field.Name, out JsonElement v) ? v : field.Default!.Value;
            record[field.Position] = ToDatum(field.Type, fieldValue);
        }

        return record;
    }

    // The spec writes bytes and fixed defaults as strings whose code points 0-255 are the byte values.
    private static bool IsByteString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.All(c => c <= '\u00ff');

    private static byte[] ByteString(JsonElement value) => value.GetString()!.Select(c => (byte)c).ToArray();
}
