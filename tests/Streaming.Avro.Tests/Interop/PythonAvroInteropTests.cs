using System.Text.Json.Nodes;

namespace Streaming.Avro.Tests.Interop;

/// <summary>
/// Cross-checks against Apache's Python avro 1.11 (Debian python3-avro): identical bytes for the same datum,
/// and identical values when each side decodes the other's bytes with a different reader schema.
/// Known Python 1.11.1 gaps, so not exercised here: it does not apply enum defaults to unknown symbols,
/// reads bytes written as string (and the reverse) as the writer's type, does not promote array items or map values,
/// cannot read a writer union with a non-union reader schema, and its canonical form keeps
/// logicalType primitives as objects and expands repeated named types (the spec, which we follow, does neither).
/// </summary>
public class PythonAvroInteropTests
{
    private static readonly string DocumentEventV1 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "interop", "DocumentEvent.v1.avsc"));
    private static readonly string DocumentEventV2 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "interop", "DocumentEvent.v2.avsc"));

    private const string DocumentEventDatum = """
        {
          "eventId": "7f1c0a52-3b7e-4c51-9a0e-2f4f5d8a9b10",
          "documentId": "doc-42",
          "status": "NORMALIZED",
          "occurredAt": 1795255200123000,
          "attributes": {"contentType": "application/pdf", "tenant": "acme"},
          "error": null,
          "sizeBytes": 123456,
          "score": 0.75,
          "contentSha256": "hex:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          "preview": "hex:255044462d312e37",
          "lineage": {
            "source": "webhook",
            "receivedVia": {"long": 42},
            "parents": [{"documentId": "doc-41", "hops": 1}, {"documentId": "doc-7", "hops": 2}]
          },
          "legacyFlag": true
        }
        """;

    /// <summary>Both directions for one datum; returns what both sides decoded with the reader schema.</summary>
    private static JsonNode? AssertInterop(string writerJson, string readerJson, string taggedDatum)
    {
        var writer = AvroSchema.Parse(writerJson);
        var reader = AvroSchema.Parse(readerJson);
        JsonNode? tagged = JsonNode.Parse(taggedDatum);

        byte[] ours = AvroSerializer.Serialize(writer, InteropJson.FromTagged(writer, tagged));
        JsonNode? pythonReadOurs = PythonAvro.Decode(writerJson, readerJson, ours);
        AssertSameJson(pythonReadOurs, InteropJson.Plain(AvroDeserializer.Deserialize(ours, writer, reader)));

        byte[] theirs = PythonAvro.Encode(writerJson, tagged);
        Assert.Equal(Convert.ToHexStringLower(theirs), Convert.ToHexStringLower(ours));
        AssertSameJson(pythonReadOurs, InteropJson.Plain(AvroDeserializer.Deserialize(theirs, writer, reader)));
        return pythonReadOurs;
    }

    private static void AssertSameJson(JsonNode? expected, JsonNode? actual)
    {
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Python avro: {expected?.ToJsonString()}\nStreaming.Avro: {actual?.ToJsonString()}");
    }

    [Fact]
    public void DocumentEvent_written_with_v1_reads_the_same_with_v2_on_both_sides()
    {
        JsonNode read = AssertInterop(DocumentEventV1, DocumentEventV2, DocumentEventDatum)!;

        Assert.Equal(123456, read["sizeBytes"]!.GetValue<long>());
        Assert.Equal(0, read["priority"]!.GetValue<int>());
        Assert.Empty(read["labels"]!.AsArray());
        Assert.Null(read["reviewedBy"]);
        Assert.False(read.AsObject().ContainsKey("legacyFlag"));
        Assert.Equal(42, read["lineage"]!["receivedVia"]!.GetValue<long>());
        Assert.Equal("derived", read["lineage"]!["parents"]![1]!["relation"]!.GetValue<string>());
    }

    [Fact]
    public void DocumentEvent_round_trips_with_its_own_schema_on_both_sides()
    {
        JsonNode read = AssertInterop(DocumentEventV1, DocumentEventV1, DocumentEventDatum)!;
        AssertSameJson(JsonNode.Parse(DocumentEventDatum)!["lineage"]!["parents"], read["lineage"]!["parents"]);
        Assert.Equal(1795255200123000, read["occurredAt"]!.GetValue<long>());
    }

    private const string Everything = """
        {"type":"record","name":"Everything","namespace":"interop","fields":[
          {"name":"n","type":"null"},
          {"name":"b","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"by","type":"bytes"},
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
          {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
          {"name":"a","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"k","type":"string"},{"name":"v","type":["null","double"]}]}}},
          {"name":"m","type":{"type":"map","values":{"type":"array","items":"long"}}},
          {"name":"u","type":["null","string","Item","Color","Four"]},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
          {"name":"tmu","type":{"type":"long","logicalType":"time-micros"}},
          {"name":"money","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"fixedMoney","type":{"type":"fixed","name":"Money8","size":8,"logicalType":"decimal","precision":18,"scale":4}}]}
        """;

    public static TheoryData<string> EverythingData => new()
    {
        """
        {"n":null,"b":true,"i":-2147483648,"l":9223372036854775807,"f":-1.5,"d":1e-300,"by":"hex:00ff10","s":"grüße 🎉",
         "e":"BLUE","fx":"hex:deadbeef",
         "a":[{"k":"x","v":{"double":2.5}},{"k":"","v":null}],
         "m":{"one":[1,-1],"none":[]},
         "u":{"interop.Item":{"k":"in union","v":null}},
         "ts":-1000,"tsu":1795255200123456,"day":-365,"tm":86399999000,"tmu":1000001,
         "money":"-1234567.89","fixedMoney":"12345678901234.5678"}
        """,
        """
        {"n":null,"b":false,"i":0,"l":0,"f":0.0,"d":0.0,"by":"hex:","s":"",
         "e":"RED","fx":"hex:00000000",
         "a":[],
         "m":{},
         "u":{"interop.Four":"hex:01020304"},
         "ts":0,"tsu":0,"day":0,"tm":0,"tmu":0,
         "money":"0.00","fixedMoney":"-0.0001"}
        """,
        """
        {"n":null,"b":true,"i":1,"l":-1,"f":1024.0,"d":-2.5,"by":"hex:01","s":"a",
         "e":"GREEN","fx":"hex:ffffffff","a":[{"k":"only","v":{"double":-0.5}}],"m":{"k":[5]},
         "u":{"interop.Color":"GREEN"},
         "ts":1,"tsu":-1,"day":20000,"tm":1000,"tmu":86399999999,
         "money":"0.01","fixedMoney":"1.0000"}
        """,
        """
        {"n":null,"b":true,"i":1,"l":-1,"f":1.0,"d":1.0,"by":"hex:01","s":"a","e":"GREEN","fx":"hex:ffffffff","a":[],"m":{},
         "u":{"string":"plain"},"ts":1,"tsu":1,"day":1,"tm":1000,"tmu":1,"money":"1.00","fixedMoney":"1.0000"}
        """,
    };

    [Theory]
    [MemberData(nameof(EverythingData))]
    public void Every_type_encodes_to_the_same_bytes_and_decodes_the_same(string datum)
    {
        AssertInterop(Everything, Everything, datum);
    }

    public static TheoryData<string, string, string> ResolutionCases => new()
    {
        // Promotions.
        { "\"int\"", "\"long\"", "-7" },
        { "\"int\"", "\"float\"", "16777216" },
        { "\"int\"", "\"double\"", "123" },
        { "\"long\"", "\"double\"", "4503599627370496" },
        { "\"long\"", "\"float\"", "1024" },
        { "\"float\"", "\"double\"", "0.375" },
        // Unions on either side.
        { "\"string\"", """["null","string"]""", "\"x\"" },
        { """["null","int"]""", """["null","long"]""", """{"int":5}""" },
        { """["null","int"]""", """["null","long"]""", "null" },
        { """["int","string"]""", """["string","int"]""", """{"string":"s"}""" },
        // Records: added field with default, removed field, nested record with changed fields.
        {
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":{"type":"map","values":{"type":"array","items":"string"}}}]}""",
            """{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"added","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{"x":3}},{"name":"opt","type":["null","string"],"default":null}]}""",
            """{"a":1,"gone":{"k":["v","w"],"e":[]}}"""
        },
        // Enums: writer symbols a subset of the reader's (the reader has a default it does not need).
        {
            """{"type":"enum","name":"E","symbols":["A","B"]}""",
            """{"type":"enum","name":"E","symbols":["Z","B","A"],"default":"Z"}""",
            "\"A\""
        },
        // Arrays of records whose fields were reordered.
        {
            """{"type":"array","items":{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"y","type":"string"}]}}""",
            """{"type":"array","items":{"type":"record","name":"P","fields":[{"name":"y","type":"string"},{"name":"x","type":"double"}]}}""",
            """[{"x":1,"y":"one"},{"x":2,"y":"two"}]"""
        },
    };

    [Theory]
    [MemberData(nameof(ResolutionCases))]
    public void Resolves_like_python_avro(string writer, string reader, string datum)
    {
        AssertInterop(writer, reader, datum);
    }

    public static TheoryData<string> CanonicalCases => new()
    {
        "\"int\"",
        """{"type":"map","values":{"type":"array","items":"bytes"}}""",
        """["null",{"type":"enum","name":"E","namespace":"x.y","doc":"d","symbols":["A","B"],"default":"A"}]""",
        """{"fields":[{"type":{"type":"boolean"},"name":"f1","default":true,"doc":"x"}],"type":"record","name":"foo","namespace":"ns","aliases":["bar"]}""",
        """
        {"type":"record","name":"Outer","namespace":"a.b","fields":[
          {"name":"inner","type":{"type":"record","name":"Inner","namespace":"c","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":16}}]}},
          {"name":"e","type":{"type":"enum","name":"d.E","symbols":["X"]}},
          {"name":"arr","type":{"type":"array","items":["null","string","long"]}}]}
        """,
    };

    [Theory]
    [MemberData(nameof(CanonicalCases))]
    public void Canonical_form_matches_python_avro(string schema)
    {
        Assert.Equal(PythonAvro.CanonicalForm(schema), AvroSchema.Parse(schema).ToCanonicalForm());
    }

    [Fact]
    public void Canonical_form_of_DocumentEvent_without_logical_types_matches_python_avro()
    {
        // Python 1.11.1 writes {"type":"long"} for a logical-typed long where the spec says "long"; compare without them.
        string plain = DocumentEventV1
            .Replace("""{"type": "string", "logicalType": "uuid"}""", "\"string\"", StringComparison.Ordinal)
            .Replace("""{"type": "long", "logicalType": "timestamp-millis"}""", "\"long\"", StringComparison.Ordinal);
        Assert.Equal(PythonAvro.CanonicalForm(plain), AvroSchema.Parse(plain).ToCanonicalForm());
        Assert.Equal(AvroSchema.Parse(plain).ToCanonicalForm(), AvroSchema.Parse(DocumentEventV1).ToCanonicalForm());
    }
}
