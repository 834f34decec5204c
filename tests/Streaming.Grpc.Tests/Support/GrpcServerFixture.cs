using Streaming.Contracts.Status.V1;

namespace Streaming.Grpc.Tests.Support;

/// <summary>One server per test class, seeded with two documents, with small message limits to test them cheaply.</summary>
public class GrpcServerFixture : IAsyncLifetime
{
    public const int MessageLimit = 64 * 1024;
    public static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public GrpcTestServer Server { get; private set; } = null!;

    public RawGrpcClient Client { get; private set; } = null!;

    protected virtual void Configure(GrpcServerOptions options)
    {
        options.MaxReceiveMessageSize = MessageLimit;
        options.MaxSendMessageSize = MessageLimit;
    }

    public async Task InitializeAsync()
    {
        Server = await GrpcTestServer.StartAsync(Configure);
        Server.Service.Apply("doc-1", InMemoryDocumentStatusService.Event("evt-1", DocumentStatus.Pending, T0));
        Server.Service.Apply("doc-1", InMemoryDocumentStatusService.Event("evt-2", DocumentStatus.InProgress, T0.AddMinutes(1)));
        Server.Service.Apply("doc-2", InMemoryDocumentStatusService.Event("evt-3", DocumentStatus.Completed, T0.AddMinutes(2), provider: "insigner"));
        Client = new RawGrpcClient(Server.Address);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>A server that requires bearer tokens.</summary>
public sealed class AuthenticatedGrpcServerFixture : GrpcServerFixture
{
    public const string Token = "test-token-0123456789abcdef";
    public const string RotatedToken = "rotated-token-0123456789abcdef";

    protected override void Configure(GrpcServerOptions options)
    {
        base.Configure(options);
        options.BearerTokens.Add(Token);
        options.BearerTokens.Add(RotatedToken);
    }
}
