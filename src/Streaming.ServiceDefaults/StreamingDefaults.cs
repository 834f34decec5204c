using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;

namespace Streaming.ServiceDefaults;

/// <summary>Wiring every service shares: logging, problem details, health checks, telemetry, Kafka.</summary>
public static class StreamingDefaults
{
    /// <summary>Liveness: the process answers.</summary>
    public const string LivePath = "/health/live";

    /// <summary>Readiness: the service can do its work (checks tagged "ready", e.g. Kafka reachable).</summary>
    public const string ReadyPath = "/health/ready";

    /// <param name="serviceName">The service.name telemetry reports (OTEL_SERVICE_NAME wins); by default from the application name.</param>
    public static IHostApplicationBuilder AddStreamingDefaults(this IHostApplicationBuilder builder, string? serviceName = null)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddStreamingTelemetry(builder.Configuration, serviceName ?? StreamingTelemetry.DefaultServiceName(builder.Environment));
        builder.AddKafka();
        builder.Services.AddHostedService<TopicInitializer>();
        return builder;
    }

    /// <summary>Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return endpoints;
    }
}
