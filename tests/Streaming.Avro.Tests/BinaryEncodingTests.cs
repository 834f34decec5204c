using System.Buffers;

namespace Streaming.Avro.Tests;

public class BinaryEncodingTests
{
    private static string Encode(string schema, object? datum) =>
        Convert.ToHexStringLower(AvroSerializer.Serialize(AvroSchema.Parse(schema), datum));

    private static object? Decode(string schema, string hex) =>
        AvroDeserializer.Deserialize(Convert.FromHexString(hex), AvroSchema.Parse(schema));

    // The zig-zag table from the specification's "Binary Encoding" section.
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-2L, "03")]
    [InlineData(2L, "04")]
    [InlineData(-64L, "7f")]
    [InlineData(64L, "8001")]
    [InlineData(long.MaxValue, "feffffffffffffffff01")]
    [InlineData(long.MinValue, "ffffffffffffffffff01")]
    public void Encodes_long_as_zig_zag_varint(long value, string hex)
    {
        Assert.Equal(hex, Encode("\"long\"", value));
        Assert.Equal(value, Decode("\"long\"", hex));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(63, "7e")]
    [InlineData(-64, "7f")]
    [InlineData(64, "8001")]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void Encodes_int_as_zig_zag_varint(int value, string hex)
    {
        Assert.Equal(hex, Encode("\"int\"", value));
        Assert.Equal(value, Decode("\"int\"", hex));
    }

    [Fact]
    public void Rejects_int_out_of_32_bit_range()
    {
        Assert.Throws<InvalidDataException>(() => Decode("\"int\"", "8080808010"));
    }

    [Fact]
    public void Rejects_varint_longer_than_ten_bytes()
    {
        Assert.Throws<InvalidDataException>(() => Decode("\"long\"", "ffffffffffffffffffff01"));
    }

    [Fact]
    public void Encodes_null_as_nothing_and_boolean_as_one_byte()
    {
        Assert.Equal("", Encode("\"null\"", null));
        Assert.Equal("00", Encode("\"boolean\"", false));
        Assert.Equal("01", Encode("\"boolean\"", true));
        Assert.Null(Decode("\"null\"", ""));
        Assert.Equal(true, Decode("\"boolean\"", "01"));
        Assert.Throws<InvalidDataException>(() => Decode("\"boolean\"", "02"));
    }

    [Fact]
    public void Encodes_float_and_double_little_endian_ieee754()
    {
        Assert.Equal("0000c03f", Encode("\"float\"", 1.5f));
        Assert.Equal("000000000000f83f", Encode("\"double\"", 1.5d));
        Assert.Equal(-2.25f, Decode("\"float\"", "000010c0"));
        Assert.Equal(double.PositiveInfinity, Decode("\"double\"", "000000000000f07f"));
    }

    // The specification's example: the string "foo" is 06 66 6f 6f.
    [Fact]
    public void Encodes_string_as_length_then_utf8()
    {
        Assert.Equal("06666f6f", Encode("\"string\"", "foo"));
        Assert.Equal("04c3a9", Encode("\"string\"", "\u00e9"));
        Assert.Equal("foo", Decode("\"string\"", "06666f6f"));
    }

    [Fact]
    public void Rejects_string_that_is_not_utf8()
    {
        Assert.Throws<InvalidDataException>(() => Decode("\"string\"", "02ff"));
    }

    [Fact]
    public void Encodes_bytes_as_length_then_bytes()
    {
        Assert.Equal("0600017f", Encode("\"bytes\"", new byte[] { 0, 1, 0x7f }));
        Assert.Equal(new byte[] { 0, 1, 0x7f }, Decode("\"bytes\"", "0600017f"));
    }

    [Fact]
    public void Rejects_length_beyond_the_data()
    {
        Assert.Throws<InvalidDataException>(() => Decode("\"bytes\"", "0a0001"));
        Assert.Throws<InvalidDataException>(() => Decode("\"string\"", "01"));
    }

    // The specification's record example: {"a": 27, "b": "foo"} is 36 06 66 6f 6f.
    [Fact]
    public void Encodes_record_as_fields_in_order()
    {
        const string schema = """{"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}""";
        var record = new GenericRecord((RecordSchema)AvroSchema.Parse(schema)) { ["a"] = 27L, ["b"] = "foo" };
        Assert.Equal("3606666f6f", Encode(schema, record));
    }

    // The specification's array example: [3, 27] of long is 04 06 36 00.
    [Fact]
    public void Encodes_array_as_one_block_and_an_end_marker()
    {
        Assert.Equal("04063600", Encode("""{"type":"array","items":"long"}""", new List<object?> { 3L, 27L }));
        Assert.Equal("00", Encode("""{"type":"array","items":"long"}""", Array.Empty<object?>()));
    }

    [Fact]
    public void Reads_array_split_into_several_blocks()
    {
        Assert.Equal(new List<object?> { 3L, 27L, 1L }, Decode("""{"type":"array","items":"long"}""", "020604360200"));
    }

    [Fact]
    public void Reads_negative_block_count_with_byte_size()
    {
        // -2 items (zig-zag 03), then the block's byte size 2, then 3 and 27, then the end.
        Assert.Equal(new List<object?> { 3L, 27L }, Decode("""{"type":"array","items":"long"}""", "0304063600"));
        var map = (IDictionary<string, object?>)Decode("""{"type":"map","values":"int"}""", "010602610200")!;
        Assert.Equal(1, map["a"]);
    }

    [Fact]
    public void Skips_block_with_byte_size_when_the_reader_drops_the_field()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"xs","type":{"type":"array","items":"long"}},{"name":"b","type":"int"}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}""");
        var record = (GenericRecord)AvroDeserializer.Deserialize(Convert.FromHexString("030406360008"), writer, reader)!;
        Assert.Equal(4, record["b"]);
    }

    [Fact]
    public void Encodes_map_as_blocks_of_key_value_pairs()
    {
        var map = new Dictionary<string, object?> { ["a"] = 1 };
        Assert.Equal("0202610200", Encode("""{"type":"map","values":"int"}""", map));
        Assert.Equal(map, Decode("""{"type":"map","values":"int"}""", "0202610200"));
    }

    // The specification's union example: null is 00; the string "a" in ["null","string"] is 02 02 61.
    [Fact]
    public void Encodes_union_as_branch_index_then_value()
    {
        Assert.Equal("00", Encode("""["null","string"]""", null));
        Assert.Equal("020261", Encode("""["null","string"]""", "a"));
        Assert.Equal("a", Decode("""["null","string"]""", "020261"));
    }

    [Fact]
    public void Encodes_enum_as_symbol_position_and_fixed_as_raw_bytes()
    {
        const string enumSchema = """{"type":"enum","name":"E","symbols":["A","B","C"]}""";
        Assert.Equal("04", Encode(enumSchema, "C"));
        Assert.Equal("C", ((GenericEnum)Decode(enumSchema, "04")!).Symbol);
        Assert.Throws<InvalidDataException>(() => Decode(enumSchema, "06"));

        const string fixedSchema = """{"type":"fixed","name":"F","size":3}""";
        Assert.Equal("010203", Encode(fixedSchema, new byte[] { 1, 2, 3 }));
        Assert.Equal(new byte[] { 1, 2, 3 }, ((GenericFixed)Decode(fixedSchema, "010203")!).Value);
    }

    [Fact]
    public void Rejects_trailing_bytes_after_the_datum()
    {
        var e = Assert.Throws<InvalidDataException>(() => Decode("\"int\"", "0202"));
        Assert.Contains("writer schema", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Low_level_writer_and_reader_agree()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new AvroBinaryWriter(buffer);
        writer.WriteLong(-300);
        writer.WriteString("héllo");
        writer.WriteDouble(0.1);
        writer.WriteFixed([9, 8]);
        writer.WriteBlockCount(0);

        var reader = new AvroBinaryReader(buffer.WrittenSpan);
        Assert.Equal(-300, reader.ReadLong());
        Assert.Equal("héllo", reader.ReadString());
        Assert.Equal(0.1, reader.ReadDouble());
        Assert.Equal(new byte[] { 9, 8 }, reader.ReadFixed(2));
        Assert.Equal(0, reader.ReadBlockCount(out long size));
        Assert.Equal(-1, size);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Writes_to_stream_and_buffer_writer_the_same_bytes()
    {
        var schema = AvroSchema.Parse("\"string\"");
        using var stream = new MemoryStream();
        AvroSerializer.Serialize(schema, "foo", stream);
        var buffer = new ArrayBufferWriter<byte>();
        AvroSerializer.Serialize(schema, "foo", buffer);
        Assert.Equal(AvroSerializer.Serialize(schema, "foo"), stream.ToArray());
        Assert.Equal(stream.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Rejects_value_of_the_wrong_type_naming_the_field()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"n","type":"int"}]}}]}""");
        var inner = new GenericRecord((RecordSchema)((RecordSchema)schema).Fields[0].Type) { ["n"] = "seven" };
        var outer = new GenericRecord((RecordSchema)schema) { ["inner"] = inner };
        var e = Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(schema, outer));
        Assert.Equal("field 'inner.n': expected int but got String value", e.Message);
    }

    [Fact]
    public void Rejects_union_value_that_fits_no_branch()
    {
        var e = Assert.Throws<AvroTypeException>(() => AvroSerializer.Serialize(AvroSchema.Parse("""["null","string"]"""), 42));
        Assert.Contains("fits no branch of union [null, string]", e.Message, StringComparison.Ordinal);
    }
}
