using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Grpc;

namespace Streaming.Grpc.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 and a free port, HTTP/2 only, with the test service, health and reflection.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, InMemoryDocumentStatusService service)
    {
        _app = app;
        Service = service;
        Health = app.Services.GetRequiredService<GrpcHealthStatusRegistry>();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        Address = new Uri($"http://127.0.0.1:{Port}");
    }

    public InMemoryDocumentStatusService Service { get; }

    public GrpcHealthStatusRegistry Health { get; }

    public int Port { get; }

    public CapturingLoggerProvider Logs { get; private init; } = null!;

    public Uri Address { get; }

    public static async Task<GrpcTestServer> StartAsync(Action<GrpcServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var logs = new CapturingLoggerProvider();
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrpc(IPAddress.Loopback, 0));
        builder.Services.AddStreamingGrpc(configure);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        var service = new InMemoryDocumentStatusService();
        service.Map(app);
        app.MapGrpcHealth();
        app.MapGrpcReflection();
        await app.StartAsync();
        return new GrpcTestServer(app, service) { Logs = logs };
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
