using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Kafka;

namespace Streaming.Cli.Topics;

/// <summary>
/// Turns records into JSON: headers and body for raw topics, the decoded value for Avro ones (DocumentEvent on
/// documents.events.v1, DocumentStatus on documents.status.v1), through the registry with the writer's schema.
/// </summary>
public sealed class RecordPrinter(AvroDeserializer<GenericRecord>? avro)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<JsonObject> ToJsonAsync(ConsumeResult<byte[]?, byte[]?> record, bool fullBody, CancellationToken cancellationToken)
    {
        var json = new JsonObject
        {
            ["topic"] = record.Topic,
            ["partition"] = record.Partition.Value,
            ["offset"] = record.Offset.Value,
            ["timestamp"] = record.Message.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["key"] = record.Message.Key is null ? null : Encoding.UTF8.GetString(record.Message.Key),
        };
        var headers = new JsonObject();
        foreach (var header in record.Message.Headers ?? [])
        {
            headers[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        json["headers"] = headers;
        if (record.Message.Value is null && avro is not null)
        {
            // A tombstone on the compacted status topic: the key's snapshot is deleted.
            json["value"] = null;
            json["tombstone"] = true;
            return json;
        }

        var value = record.Message.Value ?? [];
        if (avro is not null && value.Length > 5 && value[0] == 0)
        {
            try
            {
                json["value"] = ToJson(await avro.DeserializeAsync(value, isNull: false, new SerializationContext(MessageComponentType.Value, record.Topic)).WaitAsync(cancellationToken));
            }
            catch (Avro.AvroException e)
            {
                // One undecodable record must not end the tail: show why, and its bytes.
                json["decodeError"] = e.Message;
                json["body"] = Convert.ToBase64String(value);
            }
        }
        else
        {
            var text = Encoding.UTF8.GetString(value);
            if (!fullBody && text.Length > 2000)
            {
                text = text[..2000] + $"... ({value.Length} bytes; --full shows all)";
            }

            json["body"] = text;
        }

        return json;
    }

    public static string Format(JsonObject record, bool json) => json ? record.ToJsonString() : record.ToJsonString(Indented);

    /// <summary>Apache.Avro's generic data model as JSON (enums as symbols, timestamps as ISO 8601), for any Avro topic.</summary>
    public static JsonNode? ToJson(object? datum) => datum switch
    {
        null => null,
        GenericRecord record => new JsonObject(record.Schema.Fields.Select(f => KeyValuePair.Create(f.Name, ToJson(record[f.Name])))),
        GenericEnum symbol => JsonValue.Create(symbol.Value),
        GenericFixed fixedValue => JsonValue.Create(Convert.ToHexStringLower(fixedValue.Value)),
        DateTime time => JsonValue.Create(time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
        DateTimeOffset time => JsonValue.Create(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        float number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k => KeyValuePair.Create(k.ToString()!, ToJson(map[k])))),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(ToJson).ToArray()),
        _ => JsonValue.Create(datum.ToString()),
    };

    /// <summary>True for the product's Avro topics.</summary>
    public static bool IsAvroTopic(string topic) => topic is KafkaTopics.DocumentEvents or KafkaTopics.DocumentStatus;

    internal static ConsumerConfig ReaderConfig(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = "streaming-cli-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        // Only what the normalizer committed: aborted transactions are not shown.
        IsolationLevel = IsolationLevel.ReadCommitted,
        EnablePartitionEof = true,
        SocketTimeoutMs = 10_000,
    };
}
