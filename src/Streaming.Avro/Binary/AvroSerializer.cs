using System.Buffers;
using System.Collections;

namespace Streaming.Avro;

/// <summary>Encodes values of the generic data model in the Avro binary encoding of a writer schema.</summary>
/// <remarks>
/// Accepted values: null; bool; int (or any integral value that fits) for int; any integral value for long;
/// float or an integral value for float; double, float or an integral value for double; byte[] for bytes; string for string;
/// <see cref="GenericRecord"/> of the same full name for a record; <see cref="GenericEnum"/> or a symbol string for an enum;
/// any <see cref="IEnumerable"/> for an array; <see cref="IDictionary"/> with string keys or
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> for a map; <see cref="GenericFixed"/> or byte[] of the right length for fixed;
/// logical types as documented on <c>LogicalValues</c>. A union writes the branch <see cref="UnionSchema.TryGetBranchIndex"/> picks.
/// A value that does not fit throws <see cref="AvroTypeException"/> naming the field.
/// </remarks>
public static class AvroSerializer
{
    public static byte[] Serialize(AvroSchema writerSchema, object? datum)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Serialize(writerSchema, datum, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Serialize(AvroSchema writerSchema, object? datum, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        Write(writerSchema, datum, new AvroBinaryWriter(output), string.Empty);
    }

    /// <summary>Encodes into memory first, so a value that does not fit leaves nothing half-written in the stream.</summary>
    public static void Serialize(AvroSchema writerSchema, object? datum, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>();
        Serialize(writerSchema, datum, buffer);
        output.Write(buffer.WrittenSpan);
    }

    private static void Write(AvroSchema schema, object? datum, AvroBinaryWriter w, string path)
    {
        object? value = LogicalValues.ToRaw(schema, datum, path);
        switch (schema)
        {
            case PrimitiveSchema { Type: AvroType.Null }:
                if (value is not null)
                {
                    throw Mismatch(schema, datum, path);
                }

                break;
            case PrimitiveSchema { Type: AvroType.Boolean }:
                w.WriteBoolean(value is bool b ? b : throw Mismatch(schema, datum, path));
                break;
            case PrimitiveSchema { Type: AvroType.Int }:
                w.WriteInt(TryGetIntegral(value, out long i) && i is >= int.MinValue and <= int.MaxValue ? (int)i : throw Mismatch(schema, datum, path));
                break;
            case PrimitiveSchema { Type: AvroType.Long }:
                w.WriteLong(TryGetIntegral(value, out long l) ? l : throw Mismatch(schema, datum, path));
                break;
            case PrimitiveSchema { Type: AvroType.Float }:
                w.WriteFloat(value is float f ? f : TryGetIntegral(value, out long fl) ? fl : throw Mismatch(schema, datum, path));
                break;
            case PrimitiveSchema { Type: AvroType.Double }:
                w.WriteDouble(value switch
                {
                    double d => d,
                    float single => single,
                    _ => TryGetIntegral(value, out long dl) ? dl : throw Mismatch(schema, datum, path),
                });
                break;
            case PrimitiveSchema { Type: AvroType.Bytes }:
                w.WriteBytes(value switch
                {
                    byte[] bytes => bytes,
                    ReadOnlyMemory<byte> memory => memory.Span,
                    _ => throw Mismatch(schema, datum, path),
                });
                break;
            case PrimitiveSchema { Type: AvroType.String }:
                w.WriteString(value as string ?? throw Mismatch(schema, datum, path));
                break;
            case RecordSchema record:
                WriteRecord(record, datum as GenericRecord ?? throw Mismatch(schema, datum, path), w, path);
                break;
            case EnumSchema enumSchema:
                WriteEnum(enumSchema, datum, w, path);
                break;
            case ArraySchema array:
                WriteArray(array, value, w, path);
                break;
            case MapSchema map:
                WriteMap(map, value, w, path);
                break;
            case UnionSchema union:
                if (!union.TryGetBranchIndex(datum, out int index))
                {
                    throw new AvroTypeException(
                        $"{LogicalValues.At(path)}{Describe(datum)} fits no branch of union [{string.Join(", ", union.Branches.Select(b => b.Describe()))}]");
                }

                w.WriteInt(index);
                Write(union.Branches[index], datum, w, path);
                break;
            case FixedSchema fixedSchema:
                byte[] fixedBytes = value switch
                {
                    GenericFixed g when g.Schema.FullName == fixedSchema.FullName => g.Value,
                    byte[] raw => raw,
                    _ => throw Mismatch(schema, datum, path),
                };
                if (fixedBytes.Length != fixedSchema.Size)
                {
                    throw new AvroTypeException($"{LogicalValues.At(path)}fixed '{fixedSchema.FullName}' holds {fixedSchema.Size} bytes, got {fixedBytes.Length}");
                }

                w.WriteFixed(fixedBytes);
                break;
            default:
                throw new InvalidOperationException($"Unexpected schema {schema.GetType().Name}");
        }
    }

    private static void WriteRecord(RecordSchema schema, GenericRecord record, AvroBinaryWriter w, string path)
    {
        if (record.Schema.FullName != schema.FullName)
        {
            throw new AvroTypeException($"{LogicalValues.At(path)}expected record '{schema.FullName}', got record '{record.Schema.FullName}'");
        }

        bool sameSchema = ReferenceEquals(record.Schema, schema);
        foreach (RecordField field in schema.Fields)
        {
            string fieldPath = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            object? fieldValue;
            if (sameSchema)
            {
                fieldValue = record[field.Position];
            }
            else if (!record.TryGetValue(field.Name, out fieldValue))
            {
                throw new AvroTypeException($"field '{fieldPath}': the record's own schema has no such field");
            }

            Write(field.Type, fieldValue, w, fieldPath);
        }
    }

    private static void WriteEnum(EnumSchema schema, object? datum, AvroBinaryWriter w, string path)
    {
        string symbol = datum switch
        {
            GenericEnum e when e.Schema.FullName == schema.FullName => e.Symbol,
            string s => s,
            _ => throw Mismatch(schema, datum, path),
        };
        int index = schema.IndexOf(symbol);
        w.WriteInt(index >= 0 ? index : throw new AvroTypeException($"{LogicalValues.At(path)}'{symbol}' is not a symbol of enum '{schema.FullName}'"));
    }

    private static void WriteArray(ArraySchema schema, object? value, AvroBinaryWriter w, string path)
    {
        if (value is null or string or byte[] or IDictionary || value is not IEnumerable items)
        {
            throw Mismatch(schema, value, path);
        }

        // One block holding every item; the count must come first, so an unsized sequence is materialised.
        ICollection collection = items as ICollection ?? items.Cast<object?>().ToList();
        if (collection.Count > 0)
        {
            w.WriteBlockCount(collection.Count);
            int i = 0;
            foreach (object? item in collection)
            {
                Write(schema.Items, item, w, $"{path}[{i++}]");
            }
        }

        w.WriteBlockCount(0);
    }

    private static void WriteMap(MapSchema schema, object? value, AvroBinaryWriter w, string path)
    {
        IEnumerable<KeyValuePair<string, object?>> entries = value switch
        {
            IReadOnlyDictionary<string, object?> typed => typed,
            IDictionary untyped => Entries(untyped, path),
            _ => throw Mismatch(schema, value, path),
        };
        var list = entries.ToList();
        if (list.Count > 0)
        {
            w.WriteBlockCount(list.Count);
            foreach (var (key, item) in list)
            {
                w.WriteString(key);
                Write(schema.Values, item, w, $"{path}[\"{key}\"]");
            }
        }

        w.WriteBlockCount(0);
    }

    // IDictionary's own enumerator yields DictionaryEntry; its IEnumerable one may yield KeyValuePair<,> instead.
    private static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary map, string path)
    {
        IDictionaryEnumerator entries = map.GetEnumerator();
        while (entries.MoveNext())
        {
            yield return new KeyValuePair<string, object?>(
                entries.Key as string ?? throw new AvroTypeException($"{LogicalValues.At(path)}map keys must be strings, got {entries.Key.GetType().Name}"),
                entries.Value);
        }
    }

    private static bool TryGetIntegral(object? value, out long result)
    {
        switch (value)
        {
            case int i: result = i; return true;
            case long l: result = l; return true;
            case short s: result = s; return true;
            case byte b: result = b; return true;
            case sbyte sb: result = sb; return true;
            case ushort us: result = us; return true;
            case uint ui: result = ui; return true;
            default: result = 0; return false;
        }
    }

    private static AvroTypeException Mismatch(AvroSchema schema, object? datum, string path) =>
        new($"{LogicalValues.At(path)}expected {schema.Describe()}{LogicalSuffix(schema)} but got {Describe(datum)}");

    private static string LogicalSuffix(AvroSchema schema) =>
        UnionSchema.LogicalTypeOf(schema) is { } logical ? $" ({logical.Name})" : string.Empty;

    private static string Describe(object? datum) => datum switch
    {
        null => "null",
        GenericRecord r => $"record '{r.Schema.FullName}'",
        GenericEnum e => $"enum '{e.Schema.FullName}' symbol {e.Symbol}",
        GenericFixed f => $"fixed '{f.Schema.FullName}'",
        _ => $"{datum.GetType().Name} value",
    };
}
