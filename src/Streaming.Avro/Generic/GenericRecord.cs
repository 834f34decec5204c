using System.Diagnostics.CodeAnalysis;

namespace Streaming.Avro;

/// <summary>A record value in the generic data model: field values by name or position, typed by its <see cref="RecordSchema"/>.</summary>
public sealed class GenericRecord : IEquatable<GenericRecord>
{
    private readonly object?[] values;

    public GenericRecord(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        values = new object?[schema.Fields.Count];
    }

    public RecordSchema Schema { get; }

    /// <exception cref="KeyNotFoundException">The record's schema has no such field.</exception>
    public object? this[string fieldName]
    {
        get => values[FieldOf(fieldName).Position];
        set => values[FieldOf(fieldName).Position] = value;
    }

    public object? this[int position]
    {
        get => values[position];
        set => values[position] = value;
    }

    public bool TryGetValue(string fieldName, out object? value)
    {
        if (Schema.TryGetField(fieldName, out RecordField? field))
        {
            value = values[field.Position];
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Equal when both are records of the same full name with deeply equal field values.</summary>
    public bool Equals([NotNullWhen(true)] GenericRecord? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && DatumEquality.SequenceEqual(values, other.values);

    public override bool Equals(object? obj) => Equals(obj as GenericRecord);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, values.Length);

    public override string ToString() => DatumEquality.Describe(this);

    private RecordField FieldOf(string fieldName) =>
        Schema.TryGetField(fieldName, out RecordField? field)
            ? field
            : throw new KeyNotFoundException($"Record '{Schema.FullName}' has no field '{fieldName}'");
}
