namespace Streaming.Avro.Tests;

public class RoundTripTests
{
    private static object? RoundTrip(AvroSchema schema, object? datum) =>
        AvroDeserializer.Deserialize(AvroSerializer.Serialize(schema, datum), schema);

    private const string EverythingSchema = """
        {"type":"record","name":"Everything","namespace":"t","fields":[
          {"name":"n","type":"null"},
          {"name":"b","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"by","type":"bytes"},
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
          {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
          {"name":"a","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"k","type":"string"}]}}},
          {"name":"m","type":{"type":"map","values":["null","long"]}},
          {"name":"u","type":["null","string","Item","Color"]},
          {"name":"nested","type":{"type":"array","items":{"type":"map","values":{"type":"array","items":"int"}}}}]}
        """;

    [Fact]
    public void Round_trips_every_type()
    {
        var schema = (RecordSchema)AvroSchema.Parse(EverythingSchema);
        var item = (RecordSchema)((ArraySchema)schema.GetField("a")!.Type).Items;
        var color = (EnumSchema)schema.GetField("e")!.Type;
        var record = new GenericRecord(schema)
        {
            ["n"] = null,
            ["b"] = true,
            ["i"] = -123456,
            ["l"] = long.MinValue,
            ["f"] = 3.25f,
            ["d"] = -1e300,
            ["by"] = new byte[] { 0, 255 },
            ["s"] = "grüße 🎉",
            ["e"] = new GenericEnum(color, "GREEN"),
            ["fx"] = new GenericFixed((FixedSchema)schema.GetField("fx")!.Type, [1, 2, 3, 4]),
            ["a"] = new List<object?> { new GenericRecord(item) { ["k"] = "x" }, new GenericRecord(item) { ["k"] = "y" } },
            ["m"] = new Dictionary<string, object?> { ["one"] = 1L, ["none"] = null },
            ["u"] = new GenericRecord(item) { ["k"] = "in union" },
            ["nested"] = new List<object?> { new Dictionary<string, object?> { ["xs"] = new List<object?> { 1, 2 } }, new Dictionary<string, object?>() },
        };

        object? decoded = RoundTrip(schema, record);

        Assert.Equal(record, decoded);
        Assert.IsType<List<object?>>(((GenericRecord)decoded!)["a"]);
        Assert.IsType<Dictionary<string, object?>>(((GenericRecord)decoded)["m"]);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("text", 1)]
    public void Picks_union_branch_by_value_type(object? value, int branch)
    {
        var schema = AvroSchema.Parse("""["null","string"]""");
        Assert.Equal(branch * 2, AvroSerializer.Serialize(schema, value)[0]);
    }

    [Fact]
    public void Picks_exact_union_branch_before_a_wider_one()
    {
        var numbers = (UnionSchema)AvroSchema.Parse("""["double","long","int"]""");
        Assert.True(numbers.TryGetBranchIndex(5, out int forInt));
        Assert.Equal(2, forInt);
        Assert.True(numbers.TryGetBranchIndex(5L, out int forLong));
        Assert.Equal(1, forLong);
        Assert.True(numbers.TryGetBranchIndex(1f, out int forFloat));
        Assert.Equal(0, forFloat);
        Assert.False(numbers.TryGetBranchIndex("x", out _));

        var times = (UnionSchema)AvroSchema.Parse("""["null","double",{"type":"long","logicalType":"timestamp-millis"}]""");
        Assert.True(times.TryGetBranchIndex(DateTimeOffset.UnixEpoch, out int forTime));
        Assert.Equal(2, forTime);
        Assert.True(times.TryGetBranchIndex(7L, out int forPlainLong));
        Assert.Equal(1, forPlainLong);
    }

    [Fact]
    public void Picks_record_branch_by_full_name()
    {
        var schema = (UnionSchema)AvroSchema.Parse("""
            ["null",{"type":"record","name":"a.R","fields":[]},{"type":"record","name":"b.R","fields":[]}]
            """);
        var b = new GenericRecord((RecordSchema)schema.Branches[2]);
        Assert.True(schema.TryGetBranchIndex(b, out int index));
        Assert.Equal(2, index);
        Assert.Equal(b, RoundTrip(schema, b));
    }

    [Fact]
    public void Writes_enum_from_symbol_string_and_rejects_unknown_symbol()
    {
        var schema = AvroSchema.Parse("""{"type":"enum","name":"E","symbols":["A","B"]}""");
        Assert.Equal("B", ((GenericEnum)RoundTrip(schema, "B")!).Symbol);
        var e = Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(schema, "C"));
        Assert.Contains("'C' is not a symbol of enum 'E'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_trips_timestamps_as_utc_DateTimeOffset()
    {
        var millis = AvroSchema.Parse("""{"type":"long","logicalType":"timestamp-millis"}""");
        var micros = AvroSchema.Parse("""{"type":"long","logicalType":"timestamp-micros"}""");
        var at = new DateTimeOffset(2024, 2, 29, 13, 14, 15, 678, TimeSpan.FromHours(2)).AddTicks(9995);

        var fromMillis = (DateTimeOffset)RoundTrip(millis, at)!;
        Assert.Equal(TimeSpan.Zero, fromMillis.Offset);
        Assert.Equal(at.ToUnixTimeMilliseconds(), fromMillis.ToUnixTimeMilliseconds());
        Assert.Equal(at.AddTicks(-5), (DateTimeOffset)RoundTrip(micros, at)!);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(-10), RoundTrip(micros, DateTimeOffset.UnixEpoch.AddTicks(-5)));

        // 1 ms after the epoch is the long 1, zig-zag 02.
        Assert.Equal(new byte[] { 2 }, AvroSerializer.Serialize(millis, DateTimeOffset.UnixEpoch.AddMilliseconds(1)));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(-1), RoundTrip(millis, DateTimeOffset.UnixEpoch.AddMilliseconds(-1)));
    }

    [Fact]
    public void Rejects_DateTime_of_unspecified_kind()
    {
        var millis = AvroSchema.Parse("""{"type":"long","logicalType":"timestamp-millis"}""");
        Assert.Equal(DateTimeOffset.UnixEpoch, RoundTrip(millis, DateTime.UnixEpoch));
        Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(millis, new DateTime(2024, 1, 1)));
    }

    [Fact]
    public void Round_trips_date_and_times()
    {
        var date = AvroSchema.Parse("""{"type":"int","logicalType":"date"}""");
        Assert.Equal(new byte[] { 2 }, AvroSerializer.Serialize(date, new DateOnly(1970, 1, 2)));
        Assert.Equal(new DateOnly(1969, 7, 20), RoundTrip(date, new DateOnly(1969, 7, 20)));

        var timeMillis = AvroSchema.Parse("""{"type":"int","logicalType":"time-millis"}""");
        var timeMicros = AvroSchema.Parse("""{"type":"long","logicalType":"time-micros"}""");
        var time = new TimeOnly(23, 59, 59, 999, 123);
        Assert.Equal(new TimeOnly(23, 59, 59, 999), RoundTrip(timeMillis, time));
        Assert.Equal(time, RoundTrip(timeMicros, time));
        Assert.Equal(new TimeOnly(1, 2, 3), RoundTrip(timeMillis, new TimeSpan(1, 2, 3)));
        Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(timeMillis, TimeSpan.FromHours(25)));
    }

    [Fact]
    public void Round_trips_uuid_as_Guid()
    {
        var schema = AvroSchema.Parse("""{"type":"string","logicalType":"uuid"}""");
        var id = Guid.Parse("123e4567-e89b-12d3-a456-426614174000");
        byte[] bytes = AvroSerializer.Serialize(schema, id);
        Assert.Equal("123e4567-e89b-12d3-a456-426614174000", AvroDeserializer.Deserialize(bytes, AvroSchema.Parse("\"string\"")));
        Assert.Equal(id, AvroDeserializer.Deserialize(bytes, schema));
        Assert.Equal(id, RoundTrip(schema, "123e4567-e89b-12d3-a456-426614174000"));
        Assert.Throws<InvalidDataException>(() => RoundTrip(schema, "not a uuid"));
    }

    [Theory]
    [InlineData("12.34", "04d2")]
    [InlineData("-12.34", "fb2e")]
    [InlineData("0", "00")]
    [InlineData("1.5", "0096")]
    [InlineData("-0.01", "ff")]
    public void Encodes_bytes_decimal_as_big_endian_twos_complement_unscaled(string value, string unscaledHex)
    {
        var schema = AvroSchema.Parse("""{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}""");
        decimal d = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        byte[] bytes = AvroSerializer.Serialize(schema, d);
        Assert.Equal(unscaledHex, Convert.ToHexStringLower(bytes.AsSpan(1)));
        Assert.Equal(d, (decimal)RoundTrip(schema, d)!);
    }

    [Fact]
    public void Sign_extends_fixed_decimal_to_its_size()
    {
        var schema = AvroSchema.Parse("""{"type":"fixed","name":"Money","size":4,"logicalType":"decimal","precision":9,"scale":3}""");
        Assert.Equal("ffffcfc7", Convert.ToHexStringLower(AvroSerializer.Serialize(schema, -12.345m)));
        Assert.Equal(-12.345m, RoundTrip(schema, -12.345m));
        Assert.Equal(7.000m, RoundTrip(schema, 7m));
    }

    [Fact]
    public void Rejects_decimal_that_would_lose_digits()
    {
        var schema = AvroSchema.Parse("""{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}""");
        Assert.Contains("more than 2 fractional digits", Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(schema, 1.234m)).Message, StringComparison.Ordinal);
        Assert.Contains("more than 4 digits", Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(schema, 123.4m)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_decimal_beyond_System_Decimal_when_reading()
    {
        var schema = AvroSchema.Parse("""{"type":"bytes","logicalType":"decimal","precision":40,"scale":0}""");
        byte[] thirteenBytes = [0x1a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Throws<InvalidDataException>(() => AvroDeserializer.Deserialize(thirteenBytes, schema));
    }

    [Fact]
    public void Reads_ignored_logical_type_as_the_underlying_type()
    {
        var schema = AvroSchema.Parse("""{"type":"int","logicalType":"timestamp-millis"}""");
        Assert.Equal(5, RoundTrip(schema, 5));
    }

    [Fact]
    public void Accepts_any_enumerable_for_arrays_and_typed_dictionaries_for_maps()
    {
        var array = AvroSchema.Parse("""{"type":"array","items":"int"}""");
        Assert.Equal(new List<object?> { 1, 2, 3 }, RoundTrip(array, Enumerable.Range(1, 3)));
        var map = AvroSchema.Parse("""{"type":"map","values":"string"}""");
        Assert.Equal(new Dictionary<string, object?> { ["a"] = "b" }, RoundTrip(map, new Dictionary<string, string> { ["a"] = "b" }));
    }

    [Fact]
    public void GenericRecord_reports_unknown_fields()
    {
        var record = new GenericRecord((RecordSchema)AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""")) { [0] = 1 };
        Assert.Equal(1, record["a"]);
        Assert.True(record.TryGetValue("a", out object? a));
        Assert.Equal(1, a);
        Assert.False(record.TryGetValue("b", out _));
        Assert.Throws<KeyNotFoundException>(() => record["b"]);
        Assert.Equal("{\"a\": 1}", record.ToString());
    }
}
