using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Streaming.ServiceDefaults;

/// <summary>
/// OpenTelemetry for every service, wired once: metrics (Prometheus scrape endpoint on the service's health port),
/// traces and logs. OTLP export follows the standard OTEL_* variables and is off while OTEL_EXPORTER_OTLP_ENDPOINT
/// is unset. Our own ActivitySources and Meters are all named "Streaming.*" (see docs/observability.md).
/// </summary>
public static class StreamingTelemetry
{
    /// <summary>Configuration section of the switches below.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Where Prometheus scrapes, on the same port as /health/*.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The standard variable that turns OTLP export on (traces, metrics and logs).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Every ActivitySource and Meter of the product's own code.</summary>
    public const string OwnInstrumentation = "Streaming.*";

    /// <summary>
    /// Set (to true) by a process that hosts several services and gives them its providers (<see cref="UseSharedTelemetry"/>):
    /// the service then builds none of its own.
    /// </summary>
    public const string SharedByHostKey = "SharedByHost";

    /// <summary>Telemetry:Enabled (default true): false leaves OpenTelemetry out entirely (no /metrics, no spans, no export).</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue($"{SectionName}:Enabled", true);

    /// <summary>Telemetry:Tracing: spans are recorded when true, and by default whenever OTLP export is configured.</summary>
    public static bool IsTracing(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{SectionName}:Tracing") ?? ExportsOtlp(configuration);

    /// <summary>True when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public static bool ExportsOtlp(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    /// <summary>
    /// Registers the OpenTelemetry SDK with the product's instrumentation: our sources and meters, ASP.NET Core, HttpClient,
    /// gRPC client and runtime; the Prometheus exporter; and OTLP for every signal when configured. Null when Telemetry:Enabled is false.
    /// </summary>
    public static IOpenTelemetryBuilder? AddStreamingTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        if (!IsEnabled(configuration))
        {
            return null;
        }

        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName;
        if (configuration.GetValue($"{SectionName}:{SharedByHostKey}", false))
        {
            // The host's providers serve traces and metrics; logs belong to this service's own logging, so it exports them.
            if (ExportsOtlp(configuration))
            {
                services.AddLogging(logging => logging.AddOpenTelemetry(options => options.IncludeFormattedMessage = true));
                services.ConfigureOpenTelemetryLoggerProvider(logs => logs.ConfigureResource(resource => resource.AddService(name)).AddOtlpExporter());
            }

            return null;
        }

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(name))
            .WithMetrics(metrics => metrics
                .AddMeter(OwnInstrumentation)
                .AddAspNetCoreInstrumentation()
                // Per-request series that add nothing here, each a measurement on every call: left out
                // (aspnetcore.authorization.attempts stays: it counts the rejected calls by result).
                .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
                .AddView("aspnetcore.authentication.authenticate.duration", MetricStreamConfiguration.Drop)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (IsTracing(configuration))
        {
            otel.WithTracing(tracing => tracing
                .AddSource(OwnInstrumentation)
                // Probes and scrapes every few seconds would drown the webhooks' traces.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsManagementPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation());
        }

        if (ExportsOtlp(configuration))
        {
            // Logs go out with the trace and span ids of the activity they were written in.
            otel.WithLogging(logging => { }, options => options.IncludeFormattedMessage = true);
            otel.UseOtlpExporter();
        }

        return otel;
    }

    /// <summary>
    /// In a process that hosts several services (the embedded platform), one set of providers serves them all: a
    /// service's own providers would each see every service's activities and ASP.NET Core meters (both are process-wide
    /// by name) and report them several times. The service resolves these instead of building its own.
    /// </summary>
    public static IServiceCollection UseSharedTelemetry(this IServiceCollection services, MeterProvider? metrics, TracerProvider? tracing)
    {
        if (metrics is not null)
        {
            services.AddSingleton(metrics);
        }

        if (tracing is not null)
        {
            services.AddSingleton(tracing);
        }

        return services;
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint (<see cref="MetricsPath"/>) when metrics are on. With Telemetry:MetricsPort set,
    /// it answers on that port only (list the port in "urls" too): the ingress's public port then serves webhooks, not metrics.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<MeterProvider>() is null)
        {
            return endpoints;
        }

        var scrape = endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        var port = endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<int?>($"{SectionName}:MetricsPort");
        if (port is > 0)
        {
            scrape.RequireHost($"*:{port}");
        }

        return endpoints;
    }

    /// <summary>Histogram buckets in seconds, 1 ms to 10 s (the SDK's default buckets are meant for milliseconds).</summary>
    public static InstrumentAdvice<double> SecondsBuckets { get; } = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    /// <summary>"Streaming.Ingress" becomes "streaming-ingress".</summary>
    public static string DefaultServiceName(IHostEnvironment environment) =>
        environment.ApplicationName.Replace('.', '-').ToLowerInvariant();

    private static bool IsManagementPath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments(MetricsPath, StringComparison.Ordinal);
}
