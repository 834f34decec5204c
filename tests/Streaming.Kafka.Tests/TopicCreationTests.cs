using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Testing;

namespace Streaming.Kafka.Tests;

/// <summary>The product's topics as the services create them (Kafka:AutoCreateTopics), settings included.</summary>
public sealed class TopicCreationTests
{
    [Fact]
    public void The_status_topic_is_one_of_the_products_topics_and_log_compacted()
    {
        var status = Assert.Single(KafkaTopics.All(6), t => t.Name == KafkaTopics.DocumentStatus);
        Assert.Equal("documents.status.v1", status.Name);
        Assert.Equal("compact", status.Configs!["cleanup.policy"]);
        Assert.All(KafkaTopics.All(6).Where(t => t.Name != KafkaTopics.DocumentStatus), t => Assert.Null(t.Configs));
    }

    [RealKafkaFact]
    public async Task A_topic_is_created_with_its_own_settings_beside_the_products_defaults()
    {
        using var kafka = new KafkaConnection(Options.Create(new KafkaOptions { BootstrapServers = TestKafka.BootstrapServers }), NullLogger<KafkaConnection>.Instance);
        var name = TestKafka.UniqueTopic("compacted");

        await kafka.EnsureTopicsAsync([new TopicSpec(name, 2, 1, KafkaTopics.StatusTopicConfig)]);
        await kafka.EnsureTopicsAsync([new TopicSpec(name, 2, 1, KafkaTopics.StatusTopicConfig)]);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = TestKafka.BootstrapServers }).Build();
        var described = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = name }])).Single().Entries;
        foreach (var (key, value) in KafkaTopics.StatusTopicConfig)
        {
            Assert.Equal(value, described[key].Value);
        }

        Assert.Equal(KafkaTopics.MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), described["max.message.bytes"].Value);
    }
}
