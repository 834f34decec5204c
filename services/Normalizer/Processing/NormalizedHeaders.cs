namespace Streaming.Normalizer.Processing;

/// <summary>Header values the normalizer writes besides those named in <see cref="Streaming.Kafka.RawEventHeaders"/>.</summary>
public static class NormalizedHeaders
{
    /// <summary>Content type of DocumentEvent values (Confluent wire format, Avro).</summary>
    public const string AvroContentType = "application/vnd.confluent.avro";
}
