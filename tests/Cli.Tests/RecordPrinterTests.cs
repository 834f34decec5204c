using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Cli.Topics;

namespace Streaming.Cli.Tests;

/// <summary>How `tail` shows the product's Avro topics, the compacted status topic included.</summary>
public sealed class RecordPrinterTests
{
    [Theory]
    [InlineData("documents.events.v1", true)]
    [InlineData("documents.status.v1", true)]
    [InlineData("webhooks.raw.v1", false)]
    [InlineData("webhooks.raw.dlq.v1", false)]
    public void The_products_avro_topics_are_decoded_through_the_registry(string topic, bool avro) =>
        Assert.Equal(avro, RecordPrinter.IsAvroTopic(topic));

    [Fact]
    public async Task A_tombstone_on_the_status_topic_is_shown_as_a_deletion_without_asking_the_registry()
    {
        // Nothing listens there: a tombstone must not need the registry.
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = "http://127.0.0.1:1" });
        var printer = new RecordPrinter(new AvroDeserializer<GenericRecord>(registry));
        var record = new ConsumeResult<byte[]?, byte[]?>
        {
            Topic = "documents.status.v1",
            Partition = 2,
            Offset = 41,
            Message = new Message<byte[]?, byte[]?> { Key = "doc-gone"u8.ToArray(), Value = null, Timestamp = new Timestamp(DateTime.UnixEpoch) },
        };

        var json = await printer.ToJsonAsync(record, fullBody: false, CancellationToken.None);

        Assert.Equal("doc-gone", json["key"]!.GetValue<string>());
        Assert.True(json["tombstone"]!.GetValue<bool>());
        Assert.Null(json["value"]);
    }
}
