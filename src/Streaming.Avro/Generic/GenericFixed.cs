namespace Streaming.Avro;

/// <summary>A fixed value in the generic data model: exactly <see cref="FixedSchema.Size"/> bytes.</summary>
public sealed class GenericFixed : IEquatable<GenericFixed>
{
    public GenericFixed(FixedSchema schema, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != schema.Size)
        {
            throw new ArgumentException($"Fixed '{schema.FullName}' holds {schema.Size} bytes, not {value.Length}", nameof(value));
        }

        Schema = schema;
        Value = value;
    }

    public FixedSchema Schema { get; }

#pragma warning disable CA1819 // The generic data model is plain data; copying on every access would only cost.
    public byte[] Value { get; }
#pragma warning restore CA1819

    public bool Equals(GenericFixed? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && other.Value.AsSpan().SequenceEqual(Value);

    public override bool Equals(object? obj) => Equals(obj as GenericFixed);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, Value.Length);

    public override string ToString() => Convert.ToHexString(Value);
}
