using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Streaming.Ingress.Providers;
using Streaming.Ingress.Publishing;
using Streaming.Ingress.Verification;
using Streaming.Ingress.Webhooks;
using Streaming.ServiceDefaults;

namespace Streaming.Ingress;

/// <summary>Registration and start-up of the ingress, shared by Program and the tests.</summary>
public static class IngressApplication
{
    public static IHostApplicationBuilder AddIngress(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngressOptions>()
            .BindConfiguration(IngressOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.DeliveryTimeout > TimeSpan.Zero && o.DeliveryTimeout <= TimeSpan.FromSeconds(30), "Ingress:DeliveryTimeout must be between 0 and 30 s")
            .ValidateOnStart();
        // Resolving the registry at start turns a bad provider definition into a start failure.
        builder.Services.AddSingleton<IValidateOptions<IngressOptions>, ProviderDefinitionsValidator>();
        builder.Services.AddSingleton<ProviderRegistry>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SignatureVerifier>();
        builder.Services.AddSingleton<IngressTelemetry>();
        builder.Services.AddSingleton<RawEventPublisher>();
        builder.Services.AddSingleton<WebhookHandler>();

        // Before anything is read or verified: a token bucket per client address, so a flood of unsigned requests
        // from a few addresses is turned away cheaply and cannot use up what the real vendor needs.
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var services = context.HttpContext.RequestServices;
                var provider = context.HttpContext.Request.RouteValues.TryGetValue("provider", out var name) && name is string requested
                    && services.GetRequiredService<ProviderRegistry>().TryGet(requested, out var known) ? known.Name : IngressTelemetry.UnknownProvider;
                var telemetry = services.GetRequiredService<IngressTelemetry>();
                telemetry.Received(provider);
                telemetry.Rejected(provider, "client_rate_limited");
                return new ValueTask(Problems.ClientRateLimited(retryAfter).ExecuteAsync(context.HttpContext));
            };
            // Keyed by the address itself (no string per request). Applied only while IngressOptions.LimitsClients (MapWebhooks).
            limiter.AddPolicy(WebhookEndpoint.ClientLimitPolicy, context =>
            {
                var o = context.RequestServices.GetRequiredService<IOptions<IngressOptions>>().Value;
                var perSecond = o.ClientRateLimitPerSecond;
                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress ?? IPAddress.None, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = o.ClientRateLimitBurst > 0 ? o.ClientRateLimitBurst : Math.Max(1, (int)Math.Ceiling(perSecond)),
                    TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(perSecond / 10)),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(perSecond / 10)) / perSecond),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
        return builder;
    }

    /// <summary>Builds the ingress web application from command-line style arguments.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddStreamingDefaults();
        builder.AddIngress();
        configure?.Invoke(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var app = builder.Build();
        if (app.Services.GetRequiredService<IOptions<IngressOptions>>().Value.LimitsClients)
        {
            app.UseRateLimiter();
        }

        app.MapWebhooks();
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    /// <summary>The addresses Kestrel listens on, once started.</summary>
    public static IReadOnlyCollection<string> Addresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    private sealed class ProviderDefinitionsValidator : IValidateOptions<IngressOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngressOptions options)
        {
            var errors = new List<string>();
            foreach (var provider in ProviderRegistry.Build(options, errors).Values)
            {
                provider.Dispose();
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
