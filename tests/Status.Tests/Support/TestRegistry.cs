using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.SchemaRegistry.Server;

namespace Streaming.Status.Tests.Support;

/// <summary>One schema registry endpoint (ours, in memory) on a free loopback port, shared by the test assembly.</summary>
public static class TestRegistry
{
    private static readonly Lazy<Task<Uri>> Shared = new(StartAsync);

    public static Task<Uri> UrlAsync() => Shared.Value;

    private static async Task<Uri> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSchemaRegistry();
        var app = builder.Build();
        app.MapSchemaRegistry();
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}
