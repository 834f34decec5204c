using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace Streaming.Avro;

/// <summary>
/// Conversions between logical types and their underlying Avro values.
/// date is <see cref="DateOnly"/>; time-millis and time-micros are <see cref="TimeOnly"/> (a <see cref="TimeSpan"/>
/// within one day is accepted when writing); timestamp-millis and timestamp-micros are UTC <see cref="DateTimeOffset"/>
/// (a UTC or local <see cref="DateTime"/> is accepted when writing); uuid is <see cref="Guid"/> (a string is accepted
/// when writing); decimal is <see cref="decimal"/>, so values need at most 28 fractional digits and an unscaled
/// magnitude below 2^96, otherwise reading throws <see cref="InvalidDataException"/>.
/// </summary>
internal static class LogicalValues
{
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Applies the schema's logical type to a value read as its underlying type.</summary>
    public static object? FromRaw(AvroSchema schema, object? raw)
    {
        LogicalType? logical = UnionSchema.LogicalTypeOf(schema);
        if (logical is null || raw is null)
        {
            return raw;
        }

        try
        {
            return logical.Name switch
            {
                LogicalType.Date => DateOnly.FromDayNumber(checked(EpochDayNumber + (int)raw)),
                LogicalType.TimeMillis => new TimeOnly(checked((int)raw * TimeSpan.TicksPerMillisecond)),
                LogicalType.TimeMicros => new TimeOnly(checked((long)raw * TimeSpan.TicksPerMicrosecond)),
                LogicalType.TimestampMillis => DateTimeOffset.FromUnixTimeMilliseconds((long)raw),
                LogicalType.TimestampMicros => DateTimeOffset.UnixEpoch.AddTicks(checked((long)raw * TimeSpan.TicksPerMicrosecond)),
                LogicalType.Uuid => Guid.Parse((string)raw, CultureInfo.InvariantCulture),
                LogicalType.Decimal => ToDecimal(raw is GenericFixed f ? f.Value : (byte[])raw, logical.Scale),
                _ => raw,
            };
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or FormatException)
        {
            throw new InvalidDataException($"Value {DatumEquality.Describe(raw)} is not a valid {logical.Name}: {e.Message}", e);
        }
    }

    /// <summary>Turns a .NET value for a logical type into the underlying Avro value; other values pass through.</summary>
    public static object? ToRaw(AvroSchema schema, object? value, string path)
    {
        LogicalType? logical = UnionSchema.LogicalTypeOf(schema);
        if (logical is null || value is null)
        {
            return value;
        }

        return (logical.Name, value) switch
        {
            (LogicalType.Date, DateOnly date) => date.DayNumber - EpochDayNumber,
            (LogicalType.TimeMillis, TimeOnly time) => (int)(time.Ticks / TimeSpan.TicksPerMillisecond),
            (LogicalType.TimeMillis, TimeSpan span) => (int)(TimeOfDay(span, path).Ticks / TimeSpan.TicksPerMillisecond),
            (LogicalType.TimeMicros, TimeOnly time) => time.Ticks / TimeSpan.TicksPerMicrosecond,
            (LogicalType.TimeMicros, TimeSpan span) => TimeOfDay(span, path).Ticks / TimeSpan.TicksPerMicrosecond,
            (LogicalType.TimestampMillis, DateTimeOffset or DateTime) => Utc(value, path).ToUnixTimeMilliseconds(),
            // Dividing the (positive) absolute ticks floors, as ToUnixTimeMilliseconds does, also before 1970.
            (LogicalType.TimestampMicros, DateTimeOffset or DateTime) => (Utc(value, path).UtcTicks / TimeSpan.TicksPerMicrosecond) - (DateTimeOffset.UnixEpoch.UtcTicks / TimeSpan.TicksPerMicrosecond),
            (LogicalType.Uuid, Guid guid) => guid.ToString("D"),
            (LogicalType.Decimal, decimal d) => FromDecimal(d, logical, schema as FixedSchema, path),
            _ => value,
        };
    }

    private static TimeSpan TimeOfDay(TimeSpan span, string path) =>
        span >= TimeSpan.Zero && span < TimeSpan.FromDays(1)
            ? span
            : throw new AvroTypeException($"{At(path)}time of day {span} is not within one day");

    private static DateTimeOffset Utc(object value, string path) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime { Kind: DateTimeKind.Utc } utc => new DateTimeOffset(utc),
        DateTime { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime()),
        _ => throw new AvroTypeException($"{At(path)}DateTime {value} has an unspecified kind; use DateTimeOffset or a UTC DateTime"),
    };

    private static decimal ToDecimal(byte[] bytes, int scale)
    {
        var unscaled = new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
        BigInteger magnitude = BigInteger.Abs(unscaled);
        if (scale > 28 || magnitude.GetBitLength() > 96)
        {
            throw new OverflowException($"unscaled value {unscaled} with scale {scale} does not fit System.Decimal");
        }

        Span<byte> le = stackalloc byte[12];
        le.Clear();
        magnitude.TryWriteBytes(le, out _, isUnsigned: true, isBigEndian: false);
        int lo = BinaryPrimitives.ReadInt32LittleEndian(le[..4]);
        int mid = BinaryPrimitives.ReadInt32LittleEndian(le[4..8]);
        int hi = BinaryPrimitives.ReadInt32LittleEndian(le[8..12]);
        return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
    }

    private static byte[] FromDecimal(decimal value, LogicalType logical, FixedSchema? fixedSchema, string path)
    {
        int[] bits = decimal.GetBits(value);
        int valueScale = (bits[3] >> 16) & 0xff;
        var mantissa = new BigInteger(new ReadOnlySpan<byte>(BitConverterBytes(bits)), isUnsigned: true, isBigEndian: false);
        BigInteger unscaled;
        if (valueScale <= logical.Scale)
        {
            unscaled = mantissa * BigInteger.Pow(10, logical.Scale - valueScale);
        }
        else
        {
            // Rounding would silently change the value, so more fractional digits than the scale is an error.
            unscaled = BigInteger.DivRem(mantissa, BigInteger.Pow(10, valueScale - logical.Scale), out BigInteger remainder);
            if (!remainder.IsZero)
            {
                throw new AvroTypeException($"{At(path)}{value.ToString(CultureInfo.InvariantCulture)} has more than {logical.Scale} fractional digits (decimal scale)");
            }
        }

        if (unscaled.ToString(CultureInfo.InvariantCulture).Length > logical.Precision && !unscaled.IsZero)
        {
            throw new AvroTypeException($"{At(path)}{value.ToString(CultureInfo.InvariantCulture)} has more than {logical.Precision} digits (decimal precision)");
        }

        if (value < 0)
        {
            unscaled = -unscaled;
        }

        byte[] bytes = unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
        if (fixedSchema is null)
        {
            return bytes;
        }

        if (bytes.Length > fixedSchema.Size)
        {
            throw new AvroTypeException($"{At(path)}{value} does not fit fixed '{fixedSchema.FullName}' of {fixedSchema.Size} bytes");
        }

        // Sign-extend to the fixed size.
        byte[] padded = new byte[fixedSchema.Size];
        padded.AsSpan(0, padded.Length - bytes.Length).Fill(unscaled.Sign < 0 ? (byte)0xff : (byte)0);
        bytes.CopyTo(padded, padded.Length - bytes.Length);
        return padded;
    }

    private static byte[] BitConverterBytes(int[] bits)
    {
        byte[] bytes = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(0, 4), bits[0]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4, 4), bits[1]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8, 4), bits[2]);
        return bytes;
    }

    internal static string At(string path) => path.Length == 0 ? string.Empty : $"field '{path}': ";
}
