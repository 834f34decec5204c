using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.SchemaRegistry.Server;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>A real Kestrel server on a free loopback port serving the registry endpoint.</summary>
internal sealed class RegistryHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RegistryHost(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<RegistryHost> StartAsync(
        ISchemaStore? store = null, string? requiredBasicAuth = null, Action<SchemaRegistryServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (store is not null)
        {
            builder.Services.AddSingleton(store);
        }

        builder.Services.AddSchemaRegistry(configure);

        var app = builder.Build();
        if (requiredBasicAuth is not null)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(requiredBasicAuth));
            app.Use(async (context, next) =>
            {
                if (context.Request.Headers.Authorization != expected)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.ContentType = SchemaRegistryMediaTypes.V1Json;
                    await context.Response.WriteAsync("""{"error_code":401,"message":"Unauthorized"}""");
                    return;
                }

                await next(context);
            });
        }

        app.MapSchemaRegistry();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RegistryHost(app, new Uri(address));
    }

    /// <summary>Confluent's client of this registry, configured as the services configure theirs.</summary>
    public CachedSchemaRegistryClient CreateClient(Action<SchemaRegistryClientOptions>? configure = null)
    {
        var options = new SchemaRegistryClientOptions { Url = Url };
        configure?.Invoke(options);
        return new CachedSchemaRegistryClient(options.ToConfluentConfig());
    }

    /// <summary>Soft-deletes a subject over HTTP (Confluent's .NET client has no delete) and returns the versions deleted.</summary>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject)
    {
        using var http = CreateHttpClient();
        using var response = await http.DeleteAsync(new Uri("subjects/" + Uri.EscapeDataString(subject), UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<int[]>(await response.Content.ReadAsStringAsync())!;
    }

    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient { BaseAddress = Url };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(SchemaRegistryMediaTypes.V1Json));
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
