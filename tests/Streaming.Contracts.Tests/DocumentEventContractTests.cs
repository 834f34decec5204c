using System.Globalization;
using System.Reflection;
using Avro;
using Avro.IO;
using Avro.Specific;
using streaming.documents.v1;

namespace Streaming.Contracts.Tests;

/// <summary>
/// The typed DocumentEvent against contracts/avro/DocumentEvent.avsc: any drift between the C# classes and the
/// contract (a field added, renamed or moved, an enum symbol added or reordered) fails here.
/// </summary>
public class DocumentEventContractTests
{
    private static readonly string ContractPath = Path.Combine(AppContext.BaseDirectory, "contract", "DocumentEvent.avsc");

    [Fact]
    public void Embedded_schema_is_the_contract_file()
    {
        var file = Schema.Parse(File.ReadAllText(ContractPath));

        Assert.Equal(file, DocumentEvent._SCHEMA);
        Assert.Equal(File.ReadAllText(ContractPath), DocumentEventSchema.Json);
        Assert.Equal("streaming.documents.v1.DocumentEvent", new DocumentEvent().Schema.Fullname);
    }

    [Theory]
    [InlineData(typeof(DocumentEvent))]
    [InlineData(typeof(Subject))]
    [InlineData(typeof(RawRecordRef))]
    public void Every_field_maps_to_the_property_of_its_name_at_its_position(Type type)
    {
        var record = (ISpecificRecord)Activator.CreateInstance(type)!;
        var schema = (RecordSchema)record.Schema;
        Assert.Equal(type.FullName, schema.Fullname);

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != nameof(ISpecificRecord.Schema))
            .Select(p => p.Name)
            .ToList();
        Assert.Equal(schema.Fields.Select(f => PascalCase(f.Name)), properties);

        foreach (var field in schema.Fields)
        {
            var property = type.GetProperty(PascalCase(field.Name))!;
            Assert.Equal(property.GetValue(record), record.Get(field.Pos));
        }

        Assert.Throws<AvroRuntimeException>(() => record.Get(schema.Fields.Count));
    }

    [Theory]
    [InlineData(typeof(EventType))]
    [InlineData(typeof(DocumentStatus))]
    [InlineData(typeof(KeySource))]
    [InlineData(typeof(SubjectKind))]
    public void Enum_members_are_the_contract_symbols_in_order(Type type)
    {
        Assert.Equal(DocumentEventSchema.Symbols(type.Name), Enum.GetNames(type));
        Assert.Equal(Enumerable.Range(0, Enum.GetNames(type).Length), Enum.GetValues(type).Cast<object>().Select(Convert.ToInt32));
    }

    [Fact]
    public void Round_trips_through_Apache_Avro_specific_writer_and_reader()
    {
        var written = Sample();

        var read = Read(Write(written));

        Assert.Equivalent(written, read, strict: true);
        Assert.Equal(DateTimeKind.Utc, read.OccurredAt.Kind);
    }

    [Fact]
    public void A_missing_subject_is_written_as_the_null_branch()
    {
        var written = Sample();
        written.Subject = null;

        Assert.Null(Read(Write(written)).Subject);
    }

    [Fact]
    public void Apache_Python_avro_decodes_what_the_typed_class_writes()
    {
        InteropRequirement.RequirePythonAvro();
        var written = Sample();

        var json = Streaming.Testing.ExternalProcess.Run(
            Streaming.Testing.ExternalProcess.DebianPython,
            [Path.Combine(AppContext.BaseDirectory, "interop", "decode_document_event.py"), ContractPath],
            System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Write(written))));

        var datum = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.Equal(written.EventId, datum.GetProperty("event_id").GetString());
        Assert.Equal("SIGNER_SIGNED", datum.GetProperty("event_type").GetString());
        Assert.Equal("IN_PROGRESS", datum.GetProperty("status").GetString());
        Assert.Equal("CORRELATION", datum.GetProperty("key_source").GetString());
        Assert.Equal("SIGNER", datum.GetProperty("subject").GetProperty("kind").GetString());
        Assert.Equal("signer-7", datum.GetProperty("subject").GetProperty("id").GetString());
        Assert.Equal(new DateTimeOffset(written.OccurredAt).ToUnixTimeMilliseconds(), datum.GetProperty("occurred_at").GetInt64());
        Assert.Equal("acme", datum.GetProperty("attributes").GetProperty("tenant").GetString());
        Assert.Equal(1234L, datum.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.Equal("evt_1", datum.GetProperty("source").GetProperty("provider_event_id").GetString());
        Assert.True(datum.GetProperty("test").GetBoolean());
    }

    internal static DocumentEvent Sample() => new()
    {
        EventId = "7f1c0a52-3b7e-4c51-9a0e-2f4f5d8a9b10",
        Provider = "inkless",
        ProviderEventType = "document_signed",
        EventType = EventType.SIGNER_SIGNED,
        Status = DocumentStatus.IN_PROGRESS,
        DocumentToken = "doc-42",
        KeySource = KeySource.CORRELATION,
        Subject = new Subject { Kind = SubjectKind.SIGNER, Id = "signer-7" },
        OccurredAt = DateTime.Parse("2026-11-30T10:20:30.123Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        ReceivedAt = DateTime.Parse("2026-11-30T10:20:31.456Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        Test = true,
        Attributes = new Dictionary<string, string> { ["tenant"] = "acme", ["signer_email"] = "a@example.com" },
        Source = new RawRecordRef { Topic = "webhooks.raw.v1", Partition = 3, Offset = 1234, ProviderEventId = "evt_1" },
    };

    private static byte[] Write(DocumentEvent e)
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<DocumentEvent>(DocumentEvent._SCHEMA).Write(e, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static DocumentEvent Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return new SpecificDatumReader<DocumentEvent>(DocumentEvent._SCHEMA, DocumentEvent._SCHEMA).Read(null!, new BinaryDecoder(stream));
    }

    private static string PascalCase(string avroName) =>
        string.Concat(avroName.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
