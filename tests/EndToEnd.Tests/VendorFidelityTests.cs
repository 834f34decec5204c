using System.Reflection;
using System.Text.Json;
using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Streaming.Kafka;
using Streaming.Testing;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// Each vendor's documented sender, reproduced outside .NET (tests/EndToEnd.Tests/vendors/vendor_sender.py: Python's
/// hmac/hashlib and openssl), against the running platform: the doc's payloads are accepted and reach the status the
/// doc implies; tampered, wrongly keyed, unsigned and stale deliveries are refused and never stored.
/// </summary>
public sealed class VendorFidelityTests(SharedPlatform shared) : IClassFixture<SharedPlatform>
{
    private readonly PlatformProcess _platform = shared.Platform;

    private static readonly string RepoRoot = typeof(VendorFidelityTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
    private static readonly string Sender = Path.Combine(AppContext.BaseDirectory, "vendors", "vendor_sender.py");

    public static TheoryData<string> Vendors() => new(["inscribe", "insigner", "instnt", "inkless", "generic"]);

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task The_vendors_documented_sender_is_accepted_end_to_end_and_reaches_the_status_its_doc_implies(string provider)
    {
        var token = $"{provider}-{Guid.NewGuid():N}"[..24];
        var deliveries = Run("lifecycle", provider, token);
        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.True(d.Status == 200, $"{provider} {d.Event}: {d.Status} {d.Body}"));
        var answeredIds = deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("providerEventId").GetString()!).ToHashSet();

        using var channel = GrpcChannel.ForAddress(_platform.Grpc);
        var client = new DocumentStatusService.DocumentStatusServiceClient(channel);
        var state = await Eventually.Until(async () =>
        {
            var s = await TryGetAsync(client, token);
            return s is { Status: DocumentStatus.Completed } && s.EventCount == answeredIds.Count ? s : null;
        }, TimeSpan.FromSeconds(45), $"{provider} document {token} COMPLETED with {answeredIds.Count} events\n{_platform.Log}");
        Assert.Equal(provider, state.Provider);

        // One id end to end: what the ingress answered is what the history shows for each webhook.
        var history = await client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = token });
        Assert.Equal(answeredIds.Order(), history.Events.Select(e => e.ProviderEventId).Order());
    }

    [Theory]
    [InlineData("inscribe", "tampered", "signature_mismatch")]
    [InlineData("inscribe", "wrong-key", "signature_mismatch")]
    [InlineData("inscribe", "missing-signature", "signature_missing")]
    [InlineData("insigner", "tampered", "signature_mismatch")]
    [InlineData("insigner", "wrong-key", "signature_mismatch")]
    [InlineData("insigner", "missing-signature", "signature_missing")]
    [InlineData("insigner", "stale", "timestamp_stale")]
    [InlineData("instnt", "tampered", "signature_mismatch")]
    [InlineData("instnt", "wrong-key", "signature_mismatch")]
    [InlineData("instnt", "missing-signature", "signature_missing")]
    [InlineData("instnt", "stale", "timestamp_stale")]
    [InlineData("inkless", "tampered", "signature_mismatch")]
    [InlineData("inkless", "wrong-key", "signature_mismatch")]
    [InlineData("inkless", "missing-signature", "signature_missing")]
    [InlineData("generic", "tampered", "signature_mismatch")]
    [InlineData("generic", "wrong-key", "signature_mismatch")]
    [InlineData("generic", "missing-signature", "signature_missing")]
    [InlineData("generic", "stale", "timestamp_stale")]
    public async Task A_bad_delivery_is_refused_with_401_and_never_stored(string provider, string attack, string code)
    {
        var token = $"{provider}-bad-{Guid.NewGuid():N}"[..28];
        var delivery = Assert.Single(Run("attack", provider, attack, token));
        Assert.True(delivery.Status == 401, $"{provider} {attack}: {delivery.Status} {delivery.Body}");
        Assert.Equal(code, JsonDocument.Parse(delivery.Body).RootElement.GetProperty("code").GetString());

        // A valid delivery sent afterwards goes all the way through; the refused one is nowhere.
        var sentinel = $"{provider}-ok-{Guid.NewGuid():N}"[..27];
        Assert.All(Run("lifecycle", provider, sentinel), d => Assert.Equal(200, d.Status));
        using var channel = GrpcChannel.ForAddress(_platform.Grpc);
        var client = new DocumentStatusService.DocumentStatusServiceClient(channel);
        await Eventually.Until(() => TryGetAsync(client, sentinel), TimeSpan.FromSeconds(45), $"sentinel {sentinel}\n{_platform.Log}");
        Assert.Null(await TryGetAsync(client, token));
        var tampered = token[..^1] + "x";
        Assert.DoesNotContain(PipelineTests.ReadToEnd(_platform.Kafka, KafkaTopics.Raw),
            r => r.Message.Key is { } key && (key == token || key == tampered));
    }

    [Fact]
    public void Inkless_verification_handshake_is_echoed_as_text()
    {
        var secret = "vs_" + Guid.NewGuid().ToString("N");
        var answer = Assert.Single(Run("handshake", "inkless", secret));
        Assert.Equal((200, secret), (answer.Status, answer.Body));
    }

    private static async Task<DocumentState?> TryGetAsync(DocumentStatusService.DocumentStatusServiceClient client, string token)
    {
        try
        {
            return await client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = token });
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private List<Delivery> Run(params string[] arguments)
    {
        var config = Path.Combine(Path.GetTempPath(), $"vendors-{Guid.NewGuid():N}.json");
        // The development secrets the embedded platform starts with (services/Platform/platform.json, dev/).
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, string>>
        {
            ["inscribe"] = new() { ["secret"] = "dev-inscribe-secret" },
            ["insigner"] = new() { ["secret"] = "dev-insigner-secret" },
            ["instnt"] = new() { ["private_key"] = Path.Combine(RepoRoot, "dev", "instnt-dev-private.pem") },
            ["inkless"] = new() { ["secret"] = "dev-inkless-secret" },
            ["generic"] = new() { ["secret"] = "whsec_ZGV2LWdlbmVyaWMtc2lnbmluZy1zZWNyZXQtMzJieXRlcw==" },
        }));
        try
        {
            var output = ExternalProcess.Run(ExternalProcess.DebianPython, [Sender, "--ingress", _platform.Ingress.ToString(), "--config", config, .. arguments]);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                return new Delivery(root.GetProperty("event").GetString()!, root.GetProperty("status").GetInt32(), root.GetProperty("body").GetString()!);
            }).ToList();
        }
        finally
        {
            File.Delete(config);
        }
    }

    private sealed record Delivery(string Event, int Status, string Body);
}
