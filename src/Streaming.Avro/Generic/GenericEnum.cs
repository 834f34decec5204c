namespace Streaming.Avro;

/// <summary>An enum value in the generic data model: one symbol of its <see cref="EnumSchema"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "Avro's name for the generic enum value, part of the agreed API.")]
public sealed class GenericEnum : IEquatable<GenericEnum>
{
    public GenericEnum(EnumSchema schema, string symbol)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(symbol);
        if (schema.IndexOf(symbol) < 0)
        {
            throw new ArgumentException($"'{symbol}' is not a symbol of enum '{schema.FullName}'", nameof(symbol));
        }

        Schema = schema;
        Symbol = symbol;
    }

    public EnumSchema Schema { get; }

    public string Symbol { get; }

    public bool Equals(GenericEnum? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && other.Symbol == Symbol;

    public override bool Equals(object? obj) => Equals(obj as GenericEnum);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, Symbol);

    public override string ToString() => Symbol;
}
