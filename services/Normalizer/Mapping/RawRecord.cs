using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Normalizer.Mapping;

/// <summary>A record of the raw topic as the mapper sees it (key decoded as UTF-8).</summary>
public sealed record RawRecord(string Topic, int Partition, long Offset, string? Key, byte[]? Value, Headers Headers, DateTimeOffset Timestamp)
{
    public string? Header(string name) => RawEventHeaders.Get(Headers, name);
}
