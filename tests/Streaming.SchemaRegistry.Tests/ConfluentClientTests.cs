using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.v1;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;
using RegistrySchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// Our registry endpoint driven by Confluent's own .NET client and Avro serdes (2.16): what the services do in
/// production against Confluent Schema Registry must work the same against the embedded endpoint.
/// </summary>
public sealed class ConfluentClientTests : IAsyncLifetime
{
    private const string Topic = "documents.events.v1";
    private static readonly string ContractJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "contract", "DocumentEvent.avsc"));
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, Topic);

    private RegistryHost _host = null!;
    private CachedSchemaRegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await RegistryHost.StartAsync();
        _client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _host.Url.AbsoluteUri });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Serializer_auto_registers_and_deserializer_reads_the_typed_DocumentEvent()
    {
        var written = Sample();

        var bytes = await new AvroSerializer<DocumentEvent>(_client).SerializeAsync(written, ValueContext);
        var read = await new AvroDeserializer<DocumentEvent>(_client).DeserializeAsync(bytes, isNull: false, ValueContext);

        Assert.Equal(0, bytes[0]);
        Assert.Equivalent(written, read, strict: true);
        Assert.Equal([DocumentEventSchema.RegistrySubject], await _client.GetAllSubjectsAsync());
        var latest = await _client.GetLatestSchemaAsync(DocumentEventSchema.RegistrySubject);
        Assert.Equal(1, latest.Version);
        Assert.Equal(latest.Id, ReadSchemaId(bytes));
    }

    [Fact]
    public async Task Generic_deserializer_reads_any_topic_with_the_writer_schema()
    {
        var bytes = await new AvroSerializer<DocumentEvent>(_client).SerializeAsync(Sample(), ValueContext);

        var record = await new AvroDeserializer<GenericRecord>(_client).DeserializeAsync(bytes, isNull: false, ValueContext);

        Assert.Equal("doc-42", record["document_token"]);
        Assert.Equal("SIGNER_SIGNED", Assert.IsType<GenericEnum>(record["event_type"]).Value);
        Assert.IsType<DateTime>(record["occurred_at"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Production_settings_use_the_schema_the_deployment_step_registered(bool useLatestVersion)
    {
        // What the deployment job does: POST the .avsc text, as is, with curl.
        var registeredId = await RegisterLikeCurlAsync(ContractJson);
        var serializer = new AvroSerializer<DocumentEvent>(_client, new AvroSerializerConfig
        {
            AutoRegisterSchemas = false,
            UseLatestVersion = useLatestVersion,
        });

        var bytes = await serializer.SerializeAsync(Sample(), ValueContext);

        Assert.Equal(registeredId, ReadSchemaId(bytes));
        Assert.Equal([1], await _client.GetSubjectVersionsAsync(DocumentEventSchema.RegistrySubject));
    }

    [Fact]
    public async Task Production_settings_refuse_to_write_before_the_contract_is_registered()
    {
        var serializer = new AvroSerializer<DocumentEvent>(_client, new AvroSerializerConfig { AutoRegisterSchemas = false });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => serializer.SerializeAsync(Sample(), ValueContext));

        Assert.Contains("not found", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_v1_consumer_reads_v2_events_with_a_new_optional_field_and_a_new_enum_symbol()
    {
        await new AvroSerializer<DocumentEvent>(_client).SerializeAsync(Sample(), ValueContext);
        var v2 = (RecordSchema)global::Avro.Schema.Parse(ContractV2());
        var record = ToGeneric(v2, Sample());
        record.Add("event_type", new GenericEnum((EnumSchema)v2["event_type"].Schema, "DOCUMENT_ARCHIVED"));
        record.Add("channel", "email");

        // The v2 producer registers v2 under the subject's BACKWARD level, then writes with it.
        var bytes = await new AvroSerializer<GenericRecord>(_client).SerializeAsync(record, ValueContext);
        var read = await new AvroDeserializer<DocumentEvent>(_client).DeserializeAsync(bytes, isNull: false, ValueContext);

        Assert.Equal([1, 2], await _client.GetSubjectVersionsAsync(DocumentEventSchema.RegistrySubject));
        Assert.Equal(EventType.UNKNOWN, read.EventType);
        Assert.Equal("doc-42", read.DocumentToken);
        Assert.Equal(DocumentStatus.IN_PROGRESS, read.Status);
        Assert.Equal(SubjectKind.SIGNER, read.Subject!.Kind);
        Assert.Equal(Sample().OccurredAt, read.OccurredAt);
        Assert.Equal("evt_1", read.Source.ProviderEventId);
    }

    [Theory]
    [InlineData(Compatibility.Backward)]
    [InlineData(Compatibility.BackwardTransitive)]
    [InlineData(Compatibility.Forward)]
    [InlineData(Compatibility.ForwardTransitive)]
    [InlineData(Compatibility.Full)]
    [InlineData(Compatibility.FullTransitive)]
    public async Task An_incompatible_change_is_refused_with_the_reason_under_every_level(Compatibility level)
    {
        await _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(ContractJson, SchemaType.Avro));
        await _client.UpdateCompatibilityAsync(level, DocumentEventSchema.RegistrySubject);
        var changedType = ContractJson.Replace(
            "\"name\": \"document_token\",\n      \"type\": \"string\"", "\"name\": \"document_token\",\n      \"type\": \"int\"", StringComparison.Ordinal);
        Assert.NotEqual(ContractJson, changedType);

        var refused = await Assert.ThrowsAsync<ConfluentRegistryException>(() =>
            _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(changedType, SchemaType.Avro)));
        var compatible = await _client.IsCompatibleAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(changedType, SchemaType.Avro));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(409, refused.ErrorCode);
        Assert.Contains("incompatible", refused.Message, StringComparison.Ordinal);
        Assert.Contains("field 'document_token'", refused.Message, StringComparison.Ordinal);
        Assert.Contains(level.ToString().ToUpperInvariant(), refused.Message.Replace("_", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.False(compatible);
        Assert.Equal(level, await _client.GetCompatibilityAsync(DocumentEventSchema.RegistrySubject));
    }

    [Theory]
    [InlineData(Compatibility.Backward)]
    [InlineData(Compatibility.BackwardTransitive)]
    [InlineData(Compatibility.Forward)]
    [InlineData(Compatibility.ForwardTransitive)]
    [InlineData(Compatibility.Full)]
    [InlineData(Compatibility.FullTransitive)]
    public async Task The_v2_contract_is_accepted_under_every_level(Compatibility level)
    {
        await _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(ContractJson, SchemaType.Avro));
        await _client.UpdateCompatibilityAsync(level, DocumentEventSchema.RegistrySubject);

        Assert.True(await _client.IsCompatibleAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(ContractV2(), SchemaType.Avro)));
        await _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(ContractV2(), SchemaType.Avro));
        Assert.Equal([1, 2], await _client.GetSubjectVersionsAsync(DocumentEventSchema.RegistrySubject));
    }

    [Fact]
    public async Task The_same_change_is_accepted_under_NONE()
    {
        await _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(ContractJson, SchemaType.Avro));
        await _client.UpdateCompatibilityAsync(Compatibility.None, DocumentEventSchema.RegistrySubject);
        var changedType = ContractJson.Replace(
            "\"name\": \"document_token\",\n      \"type\": \"string\"", "\"name\": \"document_token\",\n      \"type\": \"int\"", StringComparison.Ordinal);

        var id = await _client.RegisterSchemaAsync(DocumentEventSchema.RegistrySubject, new RegistrySchema(changedType, SchemaType.Avro));

        Assert.Equal(id, (await _client.GetLatestSchemaAsync(DocumentEventSchema.RegistrySubject)).Id);
    }

    [Fact]
    public async Task Global_config_answers_the_default_level()
    {
        Assert.Equal(Compatibility.Backward, await _client.GetCompatibilityAsync());
    }

    /// <summary>The contract plus an optional field and a new EventType symbol: what a backward-compatible v2 looks like.</summary>
    internal static string ContractV2()
    {
        var root = JsonNode.Parse(ContractJson)!.AsObject();
        var fields = root["fields"]!.AsArray();
        var eventType = fields.Single(f => (string?)f!["name"] == "event_type")!["type"]!;
        eventType["symbols"]!.AsArray().Add("DOCUMENT_ARCHIVED");
        fields.Add(new JsonObject
        {
            ["name"] = "channel",
            ["type"] = new JsonArray("null", "string"),
            ["default"] = null,
            ["doc"] = "v2: how the provider delivered the event.",
        });
        return root.ToJsonString();
    }

    internal static DocumentEvent Sample() => new()
    {
        EventId = "7f1c0a52-3b7e-4c51-9a0e-2f4f5d8a9b10",
        Provider = "inkless",
        ProviderEventType = "document_signed",
        EventType = EventType.SIGNER_SIGNED,
        Status = DocumentStatus.IN_PROGRESS,
        DocumentToken = "doc-42",
        KeySource = KeySource.DOCUMENT,
        Subject = new streaming.documents.v1.Subject { Kind = SubjectKind.SIGNER, Id = "signer-7" },
        OccurredAt = DateTime.Parse("2026-11-30T10:20:30.123Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        ReceivedAt = DateTime.Parse("2026-11-30T10:20:31.456Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        Test = false,
        Attributes = new Dictionary<string, string> { ["tenant"] = "acme" },
        Source = new RawRecordRef { Topic = "webhooks.raw.v1", Partition = 3, Offset = 1234, ProviderEventId = "evt_1" },
    };

    /// <summary>A typed event as a generic record of a (possibly newer) schema of the same shape.</summary>
    private static GenericRecord ToGeneric(RecordSchema schema, DocumentEvent e)
    {
        GenericEnum Enum(string field, object value) => new((EnumSchema)schema[field].Schema, value.ToString()!);
        var subjectSchema = (RecordSchema)((UnionSchema)schema["subject"].Schema).Schemas.Single(s => s.Tag == global::Avro.Schema.Type.Record);
        var subject = new GenericRecord(subjectSchema);
        subject.Add("kind", new GenericEnum((EnumSchema)subjectSchema["kind"].Schema, e.Subject!.Kind.ToString()));
        subject.Add("id", e.Subject.Id);
        var sourceSchema = (RecordSchema)schema["source"].Schema;
        var source = new GenericRecord(sourceSchema);
        source.Add("topic", e.Source.Topic);
        source.Add("partition", e.Source.Partition);
        source.Add("offset", e.Source.Offset);
        source.Add("provider_event_id", e.Source.ProviderEventId);

        var record = new GenericRecord(schema);
        record.Add("event_id", e.EventId);
        record.Add("provider", e.Provider);
        record.Add("provider_event_type", e.ProviderEventType);
        record.Add("event_type", Enum("event_type", e.EventType));
        record.Add("status", Enum("status", e.Status));
        record.Add("document_token", e.DocumentToken);
        record.Add("key_source", Enum("key_source", e.KeySource));
        record.Add("subject", subject);
        record.Add("occurred_at", e.OccurredAt);
        record.Add("received_at", e.ReceivedAt);
        record.Add("test", e.Test);
        record.Add("attributes", e.Attributes.ToDictionary(a => a.Key, a => (object)a.Value));
        record.Add("source", source);
        record.Add("channel", null);
        return record;
    }

    private async Task<int> RegisterLikeCurlAsync(string schemaText)
    {
        using var http = _host.CreateHttpClient();
        using var response = await http.PostAsJsonAsync(
            $"subjects/{DocumentEventSchema.RegistrySubject}/versions", new JsonObject { ["schema"] = schemaText });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<int>();
    }

    private static int ReadSchemaId(byte[] wire) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(wire.AsSpan(1, 4));
}
