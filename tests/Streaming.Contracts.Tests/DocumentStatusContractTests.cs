using System.Globalization;
using System.Reflection;
using Avro;
using Avro.IO;
using Avro.Specific;
using streaming.documents.status.v1;

namespace Streaming.Contracts.Tests;

/// <summary>
/// The typed DocumentStatus snapshot against contracts/avro/DocumentStatus.avsc: any drift between the C# classes and
/// the contract (a field added, renamed or moved, an enum symbol added or reordered) fails here.
/// </summary>
public class DocumentStatusContractTests
{
    private static readonly string ContractPath = Path.Combine(AppContext.BaseDirectory, "contract", "DocumentStatus.avsc");

    [Fact]
    public void Embedded_schema_is_the_contract_file()
    {
        var file = Schema.Parse(File.ReadAllText(ContractPath));

        Assert.Equal(file, DocumentStatus._SCHEMA);
        Assert.Equal(File.ReadAllText(ContractPath), DocumentStatusSchema.Json);
        Assert.Equal("streaming.documents.status.v1.DocumentStatus", new DocumentStatus().Schema.Fullname);
        Assert.Equal("documents.status.v1-value", DocumentStatusSchema.RegistrySubject);
    }

    [Theory]
    [InlineData(typeof(DocumentStatus))]
    [InlineData(typeof(EventSummary))]
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

    [Fact]
    public void Lifecycle_members_are_the_contract_symbols_in_order_and_those_of_the_event_contract()
    {
        Assert.Equal(DocumentStatusSchema.LifecycleSymbols, Enum.GetNames<LifecycleStatus>());
        Assert.Equal(Enumerable.Range(0, Enum.GetNames<LifecycleStatus>().Length), Enum.GetValues<LifecycleStatus>().Select(v => (int)v));
        // One vocabulary: the snapshot's statuses are the ones DocumentEvent.status speaks.
        Assert.Equal(streaming.documents.v1.DocumentEventSchema.Symbols("DocumentStatus"), DocumentStatusSchema.LifecycleSymbols);
    }

    [Fact]
    public void Round_trips_through_Apache_Avro_specific_writer_and_reader()
    {
        var written = Sample();

        var read = Read(Write(written));

        Assert.Equivalent(written, read, strict: true);
        Assert.Equal(DateTimeKind.Utc, read.StatusChangedAt!.Value.Kind);
    }

    [Fact]
    public void A_status_nothing_moved_yet_is_written_with_null_change_time_and_event()
    {
        var written = Sample();
        written.Status = LifecycleStatus.UNKNOWN;
        written.StatusChangedAt = null;
        written.StatusEventId = null;

        var read = Read(Write(written));

        Assert.Null(read.StatusChangedAt);
        Assert.Null(read.StatusEventId);
        Assert.Equal(LifecycleStatus.UNKNOWN, read.Status);
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
        Assert.Equal("doc-42", datum.GetProperty("document_token").GetString());
        Assert.Equal(7, datum.GetProperty("version").GetInt64());
        Assert.Equal("COMPLETED", datum.GetProperty("status").GetString());
        Assert.Equal(new DateTimeOffset(written.StatusChangedAt!.Value).ToUnixTimeMilliseconds(), datum.GetProperty("status_changed_at").GetInt64());
        Assert.Equal("SIGNER_SIGNED", datum.GetProperty("last_event").GetProperty("event_type").GetString());
        Assert.Equal("IN_PROGRESS", datum.GetProperty("last_event").GetProperty("status").GetString());
        Assert.Equal(7, datum.GetProperty("event_count").GetInt64());
        Assert.False(datum.GetProperty("test").GetBoolean());
    }

    internal static DocumentStatus Sample() => new()
    {
        DocumentToken = "doc-42",
        Version = 7,
        Status = LifecycleStatus.COMPLETED,
        StatusChangedAt = Time("2026-11-30T10:25:00.000Z"),
        StatusEventId = "0c1d2e3f-0000-8000-8000-000000000001",
        Provider = "inkless",
        LastEvent = new EventSummary
        {
            EventId = "7f1c0a52-3b7e-4c51-9a0e-2f4f5d8a9b10",
            Provider = "inkless",
            ProviderEventType = "document_signed",
            EventType = "SIGNER_SIGNED",
            Status = LifecycleStatus.IN_PROGRESS,
            OccurredAt = Time("2026-11-30T10:20:30.123Z"),
            ReceivedAt = Time("2026-11-30T10:26:31.456Z"),
            Test = false,
            Subject = "signer:7",
            ProviderEventId = "sha256:9f86d081",
        },
        EventCount = 7,
        FirstSeenAt = Time("2026-11-30T10:00:00.001Z"),
        UpdatedAt = Time("2026-11-30T10:26:31.999Z"),
        Test = false,
    };

    private static DateTime Time(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static byte[] Write(DocumentStatus e)
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<DocumentStatus>(DocumentStatus._SCHEMA).Write(e, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static DocumentStatus Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return new SpecificDatumReader<DocumentStatus>(DocumentStatus._SCHEMA, DocumentStatus._SCHEMA).Read(null!, new BinaryDecoder(stream));
    }

    private static string PascalCase(string avroName) =>
        string.Concat(avroName.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
