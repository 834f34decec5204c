namespace Streaming.Avro;

/// <summary>A logical type this library recognises on a primitive or fixed schema, with decimal's precision and scale.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "These are the Avro specification's logical type names.")]
public sealed record LogicalType(string Name, int Precision = 0, int Scale = 0)
{
    public const string Decimal = "decimal";
    public const string Uuid = "uuid";
    public const string Date = "date";
    public const string TimeMillis = "time-millis";
    public const string TimeMicros = "time-micros";
    public const string TimestampMillis = "timestamp-millis";
    public const string TimestampMicros = "timestamp-micros";

    /// <summary>
    /// The logical type an attribute set describes, or null when it is unknown or invalid:
    /// the spec says such a schema is then read and written as its underlying type.
    /// </summary>
    internal static LogicalType? Recognise(string? name, AvroType underlying, int? precision, int? scale, int fixedSize)
    {
        switch (name)
        {
            case Date or TimeMillis when underlying == AvroType.Int:
            case TimeMicros or TimestampMillis or TimestampMicros when underlying == AvroType.Long:
            case Uuid when underlying == AvroType.String:
                return new LogicalType(name);
            case Decimal when underlying is AvroType.Bytes or AvroType.Fixed:
                int s = scale ?? 0;
                if (precision is not { } p || p <= 0 || s < 0 || s > p)
                {
                    return null;
                }

                if (underlying == AvroType.Fixed && p > MaxDecimalDigits(fixedSize))
                {
                    return null;
                }

                return new LogicalType(name, p, s);
            default:
                return null;
        }
    }

    // The largest precision a two's-complement number of `size` bytes can hold: floor(log10(2^(8*size-1) - 1)).
    private static int MaxDecimalDigits(int size) =>
        size <= 0 ? 0 : (System.Numerics.BigInteger.Pow(2, (8 * size) - 1) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length - 1;
}
