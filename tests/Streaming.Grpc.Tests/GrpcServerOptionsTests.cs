using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Streaming.Grpc.Tests;

public sealed class GrpcServerOptionsTests
{
    [Fact]
    public void Defaults_are_4_MiB_each_way_and_no_authentication()
    {
        var options = new GrpcServerOptions();
        Assert.Equal(4 * 1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Equal(4 * 1024 * 1024, options.MaxSendMessageSize);
        Assert.Empty(options.BearerTokens);
    }

    [Fact]
    public void Binds_from_the_Grpc_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Grpc:MaxReceiveMessageSize"] = "1000",
            ["Grpc:MaxSendMessageSize"] = "2000",
            ["Grpc:BearerTokens:0"] = "first-token-0123456789",
            ["Grpc:BearerTokens:1"] = "second-token-0123456789",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddStreamingGrpc();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        Assert.Equal(1000, options.MaxReceiveMessageSize);
        Assert.Equal(2000, options.MaxSendMessageSize);
        Assert.Equal(["first-token-0123456789", "second-token-0123456789"], options.BearerTokens);
    }

    [Fact]
    public void Rejects_tokens_with_spaces_or_non_ascii()
    {
        var result = new GrpcServerOptionsValidator().Validate(null, new GrpcServerOptions { BearerTokens = { "has space inside 0123456789", "caf\u00e9-0123456789-abcdef" } });
        Assert.True(result.Failed);
        Assert.Contains("BearerTokens:0", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BearerTokens:1", result.FailureMessage, StringComparison.Ordinal);
    }
}
