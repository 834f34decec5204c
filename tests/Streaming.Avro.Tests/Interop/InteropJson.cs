using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Streaming.Avro.Tests.Interop;

/// <summary>
/// The JSON both sides of the interop tests render data in (see interop/avro_interop.py): bytes and fixed as "hex:...",
/// timestamps as microseconds since the epoch, dates as days, times as microseconds since midnight, decimals as strings.
/// "Tagged" JSON additionally wraps a non-null union value as {"branch name": value}, so it says which branch to write.
/// </summary>
internal static class InteropJson
{
    public static JsonNode? Plain(object? datum) => datum switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        byte[] bytes => Hex(bytes),
        GenericFixed f => Hex(f.Value),
        GenericEnum e => JsonValue.Create(e.Symbol),
        DateTimeOffset t => JsonValue.Create((t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond),
        DateOnly d => JsonValue.Create(d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
        TimeOnly t => JsonValue.Create(t.Ticks / TimeSpan.TicksPerMicrosecond),
        decimal m => JsonValue.Create(m.ToString(CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString("D")),
        GenericRecord r => new JsonObject(r.Schema.Fields.Select(f => KeyValuePair.Create(f.Name, Plain(r[f.Position])))),
        IDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, Plain(e.Value)))),
        IList list => new JsonArray([.. list.Cast<object?>().Select(Plain)]),
        _ => throw new ArgumentException($"No interop rendering for {datum.GetType()}"),
    };

    public static object? FromTagged(AvroSchema schema, JsonNode? node)
    {
        switch (schema)
        {
            case UnionSchema union:
                if (node is null)
                {
                    return null;
                }

                var (name, value) = node.AsObject().Single();
                return FromTagged(union.Branches.Single(b => BranchName(b) == name), value);
            case RecordSchema record:
                var result = new GenericRecord(record);
                foreach (RecordField field in record.Fields)
                {
                    result[field.Position] = FromTagged(field.Type, node![field.Name]);
                }

                return result;
            case EnumSchema e:
                return new GenericEnum(e, node!.GetValue<string>());
            case FixedSchema f:
                return f.LogicalType is null ? new GenericFixed(f, FromHex(node)) : ParseDecimal(node);
            case ArraySchema a:
                return node!.AsArray().Select(item => FromTagged(a.Items, item)).ToList();
            case MapSchema m:
                return node!.AsObject().ToDictionary(p => p.Key, p => FromTagged(m.Values, p.Value));
            case PrimitiveSchema p:
                return p.LogicalType?.Name switch
                {
                    LogicalType.TimestampMillis or LogicalType.TimestampMicros => DateTimeOffset.UnixEpoch.AddTicks(node!.GetValue<long>() * TimeSpan.TicksPerMicrosecond),
                    LogicalType.Date => DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays(node!.GetValue<int>()),
                    LogicalType.TimeMillis or LogicalType.TimeMicros => new TimeOnly(node!.GetValue<long>() * TimeSpan.TicksPerMicrosecond),
                    LogicalType.Decimal => ParseDecimal(node),
                    LogicalType.Uuid => Guid.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture),
                    _ => p.Type switch
                    {
                        AvroType.Null => null,
                        AvroType.Boolean => node!.GetValue<bool>(),
                        AvroType.Int => node!.GetValue<int>(),
                        AvroType.Long => node!.GetValue<long>(),
                        AvroType.Float => node!.GetValue<float>(),
                        AvroType.Double => node!.GetValue<double>(),
                        AvroType.Bytes => FromHex(node),
                        _ => node!.GetValue<string>(),
                    },
                };
            default:
                throw new ArgumentException($"Unexpected schema {schema}");
        }
    }

    private static string BranchName(AvroSchema branch) =>
        branch is NamedSchema named ? named.FullName : AvroSchema.TypeName(branch.Type);

    private static decimal ParseDecimal(JsonNode? node) => decimal.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static JsonValue Hex(byte[] bytes) => JsonValue.Create("hex:" + Convert.ToHexStringLower(bytes));

    private static byte[] FromHex(JsonNode? node) => Convert.FromHexString(node!.GetValue<string>()["hex:".Length..]);
}
