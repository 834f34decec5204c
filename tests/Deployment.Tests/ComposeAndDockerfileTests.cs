using System.Text.RegularExpressions;

namespace Streaming.Deployment.Tests;

/// <summary>docker-compose.yml validates, and the services' Dockerfiles follow the rules for images.</summary>
public sealed partial class ComposeAndDockerfileTests
{
    public static TheoryData<string> Services() => new("Ingress", "Normalizer", "Status");

    [Fact]
    public void Docker_compose_file_validates()
    {
        var (code, stdout, stderr) = Tools.Run("docker-compose", ["--env-file", Tools.PathOf(".env.example"), "-f", Tools.PathOf("docker-compose.yml"), "config"],
            "Debian's docker-compose (apt-get install docker-compose; scripts/prerequisites.sh test does it)");
        Assert.True(code == 0, $"docker-compose config failed ({code}): {stderr}");
        foreach (var service in new[] { "kafka", "schema-registry", "postgres", "create-topics", "register-schemas", "ingress", "normalizer", "status" })
        {
            Assert.Contains($"\n  {service}:\n", stdout, StringComparison.Ordinal);
        }

        Assert.Contains("KAFKA_PROCESS_ROLES: broker,controller", stdout, StringComparison.Ordinal);
        // Production registration: a one-shot step posts the contract file; the normalizer waits for it and never registers.
        Assert.Contains("./contracts/avro:/contracts:ro", File.ReadAllText(Tools.PathOf("docker-compose.yml")), StringComparison.Ordinal);
        Assert.Contains("Normalizer__AutoRegisterSchemas: \"false\"", stdout, StringComparison.Ordinal);
        Assert.Contains("Status__AutoRegisterSchemas: \"false\"", stdout, StringComparison.Ordinal);
        Assert.Contains("documents.status.v1-value:DocumentStatus.avsc", stdout, StringComparison.Ordinal);
        // The compacted status topic, with the settings of src/Streaming.Kafka/KafkaTopics.cs (StatusTopicConfig).
        Assert.Contains("--config cleanup.policy=compact --config min.compaction.lag.ms=3600000 --config delete.retention.ms=604800000",
            File.ReadAllText(Tools.PathOf("docker-compose.yml")), StringComparison.Ordinal);
        foreach (Match image in ImageLine().Matches(stdout))
        {
            Assert.True(KubernetesManifestTests.IsPinned(image.Groups[1].Value), $"compose image '{image.Groups[1].Value}' is not pinned");
        }
    }

    [Fact]
    public void Docker_compose_refuses_to_render_without_the_secrets_and_publishes_only_the_ingress_on_all_interfaces()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.env");
        File.WriteAllText(empty, "");
        try
        {
            var (code, _, stderr) = Tools.Run("docker-compose", ["--env-file", empty, "-f", Tools.PathOf("docker-compose.yml"), "config"], "docker-compose");
            Assert.NotEqual(0, code);
            Assert.Contains("see .env.example", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }

        var (_, stdout, _) = Tools.Run("docker-compose", ["--env-file", Tools.PathOf(".env.example"), "-f", Tools.PathOf("docker-compose.yml"), "config"], "docker-compose");
        var published = PublishedPort().Matches(stdout).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
        Assert.Contains("8080", published);
        Assert.All(published.Where(p => p != "8080"), p => Assert.Fail($"port {p} is published on all interfaces; bind it to 127.0.0.1"));
        Assert.Contains("Grpc__BearerTokens__0", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Dockerfile_is_multi_stage_pinned_non_root_with_a_health_check(string service)
    {
        var path = Tools.PathOf("services", service, "Dockerfile");
        Assert.True(File.Exists(path), $"{path} is missing");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(froms.Count >= 2, "expected a build stage and a runtime stage");
        Assert.All(froms, from => Assert.True(KubernetesManifestTests.IsPinned(from.Split(' ')[1]), $"'{from}' is not pinned"));
        Assert.All(froms, from => Assert.Matches(@":\d+\.\d+\.\d+", from));

        Assert.DoesNotContain(lines, l => CopyEverything().IsMatch(l));
        var user = lines.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.NotNull(user);
        Assert.DoesNotMatch(@"^USER (root|0)(:|$)", user);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        // librdkafka comes with the application (librdkafka.redist), for linux-x64 only; never from the OS.
        Assert.DoesNotContain(lines, l => l.Contains("librdkafka", StringComparison.Ordinal));
        var publish = Assert.Single(lines, l => l.Contains("dotnet publish ", StringComparison.Ordinal));
        Assert.Contains(" -r linux-x64 ", publish, StringComparison.Ordinal);
        var restore = Assert.Single(lines, l => l.Contains("dotnet restore ", StringComparison.Ordinal));
        Assert.EndsWith(" -r linux-x64", restore, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
    }

    [Fact]
    public void Docker_build_context_leaves_out_build_outputs_and_git()
    {
        var ignore = File.ReadAllLines(Tools.PathOf(".dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains(".git/", ignore);
    }

    [GeneratedRegex(@"^COPY\s+(--\S+\s+)*\.\s+\.\s*$")]
    private static partial Regex CopyEverything();

    [GeneratedRegex(@"^\s+image:\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ImageLine();

    // docker-compose config prints a port published on every interface as "- published: 8080" (or "- 8080:8080/tcp",
    // "- 0.0.0.0:8080:8080"), and one bound to an address as "- 127.0.0.1:8081:8081/tcp".
    [GeneratedRegex(@"^\s+- (?:published: (\d+)|(?:0\.0\.0\.0:)?(\d+):\d+(?:/tcp)?)\s*$", RegexOptions.Multiline)]
    private static partial Regex PublishedPort();
}
