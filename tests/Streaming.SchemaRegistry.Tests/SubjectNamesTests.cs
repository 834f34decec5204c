namespace Streaming.SchemaRegistry.Tests;

public sealed class SubjectNamesTests
{
    [Fact]
    public void Topic_name_strategy_appends_value_or_key()
    {
        Assert.Equal("documents.events.v1-value", SubjectNames.TopicValue("documents.events.v1"));
        Assert.Equal("documents.events.v1-key", SubjectNames.TopicKey("documents.events.v1"));
        Assert.Equal("t-key", SubjectNames.For("t", isKey: true));
    }

    [Fact]
    public void Rejects_an_empty_topic() =>
        Assert.Throws<ArgumentException>(() => SubjectNames.TopicValue(" "));
}
