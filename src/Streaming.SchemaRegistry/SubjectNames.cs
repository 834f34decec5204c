namespace Streaming.SchemaRegistry;

/// <summary>Subject names by Confluent's TopicNameStrategy (the default of its serializers).</summary>
public static class SubjectNames
{
    /// <summary>The subject of a topic's message values: <c>&lt;topic&gt;-value</c>.</summary>
    public static string TopicValue(string topic) => TopicSubject(topic, "-value");

    /// <summary>The subject of a topic's message keys: <c>&lt;topic&gt;-key</c>.</summary>
    public static string TopicKey(string topic) => TopicSubject(topic, "-key");

    /// <summary>The subject for a topic's keys or values.</summary>
    public static string For(string topic, bool isKey) => isKey ? TopicKey(topic) : TopicValue(topic);

    private static string TopicSubject(string topic, string suffix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        return topic + suffix;
    }
}
