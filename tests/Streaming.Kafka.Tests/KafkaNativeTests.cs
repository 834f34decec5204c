using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.Testing;

namespace Streaming.Kafka.Tests;

public sealed class KafkaNativeTests
{
    // Debian's librdkafka-dev (2.0.2) puts librdkafka.so on the loader's default path: the trap the resolver avoids.
    private static readonly string[] SystemLibraries =
    [
        "/usr/lib/x86_64-linux-gnu/librdkafka.so",
        "/usr/lib/x86_64-linux-gnu/librdkafka.so.1",
        "/usr/lib/aarch64-linux-gnu/librdkafka.so.1",
        "/usr/local/lib/librdkafka.so",
    ];

    [Fact]
    public async Task Loads_the_bundled_librdkafka_and_consumes_even_when_the_OS_has_one()
    {
        using var cluster = EmbeddedKafkaCluster.Start();

        Assert.True(KafkaNative.IsAtLeast(KafkaNative.LoadedVersion, KafkaNative.BuiltAgainst), KafkaNative.LoadedVersion);
        Assert.StartsWith($"{KafkaNative.BuiltAgainst.Major}.{KafkaNative.BuiltAgainst.Minor}.", KafkaNative.LoadedVersion, StringComparison.Ordinal);
        var path = Assert.IsType<string>(KafkaNative.LoadedPath);
        Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.EndsWith("/runtimes/linux-x64/native/centos8-librdkafka.so", path, StringComparison.Ordinal);
            // No other librdkafka is mapped into the process, wherever the OS keeps one.
            var mapped = File.ReadAllLines("/proc/self/maps")
                .Where(l => l.Contains("librdkafka", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf('/', StringComparison.Ordinal))..])
                .Distinct()
                .ToList();
            Assert.Equal([path], mapped);
            Assert.DoesNotContain(mapped, m => SystemLibraries.Contains(m));
        }

        // The consumer path is what an OS 2.0.2 breaks (EntryPointNotFoundException on the first consumer call).
        var topic = TestKafka.UniqueTopic("native");
        cluster.CreateTopic(topic, 1);
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [7] });
        }

        var record = Assert.Single(TestKafka.ReadAll(cluster.BootstrapServers, topic, 1, TimeSpan.FromSeconds(15)));
        Assert.Equal(new byte[] { 7 }, record.Message.Value);
        Assert.True(record.LeaderEpoch is null or >= 0);
    }

    [Fact]
    public void Looks_for_the_glibc_only_build_before_the_default_one()
    {
        var candidates = KafkaNative.CandidatePaths();
        Assert.StartsWith(AppContext.BaseDirectory, candidates[0], StringComparison.Ordinal);
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            var centos = candidates.ToList().FindIndex(c => c.EndsWith("centos8-librdkafka.so", StringComparison.Ordinal));
            var fallback = candidates.ToList().FindIndex(c => c.EndsWith("/librdkafka.so", StringComparison.Ordinal));
            Assert.InRange(centos, 0, fallback - 1);
        }

        Assert.DoesNotContain(candidates, c => SystemLibraries.Contains(c));
    }

    [Theory]
    [InlineData("2.16.0", true)]
    [InlineData("2.16.1", true)]
    [InlineData("2.17.0-RC1", true)]
    [InlineData("3.0.0", true)]
    [InlineData("2.15.1", false)]
    [InlineData("2.0.2", false)]
    [InlineData("garbage", false)]
    public void Accepts_only_librdkafka_at_least_as_new_as_the_build(string loaded, bool accepted) =>
        Assert.Equal(accepted, KafkaNative.IsAtLeast(loaded, new Version(2, 16, 0)));

    [Fact]
    public void Ships_the_version_the_build_pins() =>
        Assert.Equal(new Version(2, 16, 0), KafkaNative.BuiltAgainst);
}
