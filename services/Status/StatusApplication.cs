using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authentication;
using Streaming.Contracts.Status.V1;
using Streaming.SchemaRegistry;
using Streaming.ServiceDefaults;
using Streaming.Status.Api;
using Streaming.Status.Projection;
using Streaming.Status.Publishing;
using Streaming.Status.Store;
using Streaming.Status.Watching;

namespace Streaming.Status;

/// <summary>Registration and start-up of the status service, shared by Program, the tests and the platform host.</summary>
public static class StatusApplication
{
    /// <summary>The plain HTTP/1.1 port (health) when "urls" is not configured.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8082";

    public static IHostApplicationBuilder AddStatusService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatusOptions>()
            .BindConfiguration(StatusOptions.SectionName)
            .ValidateDataAnnotations()
            // SchemaRegistry:Url is the shared key; Status:SchemaRegistryUrl, when set, still wins (older deployments).
            .PostConfigure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
                o.SchemaRegistryUrl = SchemaRegistryClientOptions.ConfiguredUrl(configuration, StatusOptions.LegacyRegistryUrlKey) is { Length: > 0 } url
                    ? url
                    : environment.IsDevelopment() ? StatusOptions.DevelopmentRegistryUrl : null)
            .Validate(o => o.SchemaRegistryUrl is not null,
                "SchemaRegistry:Url is required outside the Development environment (e.g. SchemaRegistry__Url=http://schema-registry:8081)")
            .Validate(o => o.SchemaRegistryUrl is null || (Uri.TryCreate(o.SchemaRegistryUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"),
                "SchemaRegistry:Url (or Status:SchemaRegistryUrl) must be an absolute http(s) URL, e.g. http://127.0.0.1:8081")
            .Validate(o => IPAddress.TryParse(o.GrpcAddress, out _) || o.GrpcAddress is "*" or "localhost",
                "Status:GrpcAddress must be an IP address, '*' (every interface) or 'localhost'")
            .Validate(o => o.UsesPostgres || !string.IsNullOrWhiteSpace(o.SqlitePath),
                "Status:SqlitePath is required when Status:ConnectionString is empty")
            .Validate(o => !o.UsesPostgres || IsPostgresConnectionString(o.ConnectionString!),
                "Status:ConnectionString is not a valid PostgreSQL connection string (e.g. Host=db;Database=status;Username=status;Password=...)")
            .Validate(o => o.BatchWindow >= TimeSpan.Zero && o.BatchWindow <= TimeSpan.FromSeconds(5), "Status:BatchWindow must be between 0 and 5 s")
            .Validate(o => o.FetchWait >= TimeSpan.FromMilliseconds(1) && o.FetchWait <= TimeSpan.FromSeconds(5), "Status:FetchWait must be between 1 ms and 5 s")
            .Validate(o => o.SessionTimeout >= TimeSpan.FromSeconds(1), "Status:SessionTimeout must be at least 1 s")
            .Validate(o => o.DefaultPageSize <= o.MaxPageSize, "Status:DefaultPageSize must not exceed Status:MaxPageSize")
            .Validate(o => !o.PublishSnapshots || !string.IsNullOrWhiteSpace(o.SnapshotTopic),
                "Status:SnapshotTopic is required while Status:PublishSnapshots is on (default documents.status.v1)")
            .Validate(o => !o.PublishSnapshots || o.SnapshotTopic != o.Topic,
                "Status:SnapshotTopic must not be the topic the service reads (Status:Topic)")
            .ValidateOnStart();

        builder.AddStatusApi();
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddSingleton<StatusTelemetry>();
        builder.Services.AddSingleton(sp => CreateStore(sp.GetRequiredService<IOptions<StatusOptions>>().Value));
        builder.Services.AddSingleton<Confluent.SchemaRegistry.ISchemaRegistryClient>(sp => new Confluent.SchemaRegistry.CachedSchemaRegistryClient(
            SchemaRegistryClientOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IOptions<StatusOptions>>().Value.SchemaRegistryUrl!)
                .ToConfluentConfig()));
        builder.Services.AddSingleton<DocumentEventDecoder>();
        // Used unless Status:PublishSnapshots is off (decided when options bind, as the store is).
        builder.Services.AddSingleton<SnapshotPublisher>();
        builder.Services.AddSingleton<StatusEndpoints>();
        builder.Services.AddHostedService<StoreInitializer>();
        builder.Services.AddSingleton<ProjectionWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProjectionWorker>());
        // Idle unless the store is PostgreSQL (decided when options bind, so a later configure step may choose it).
        builder.Services.AddSingleton<PostgresChangeListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeListener>());

        builder.Services.AddHealthChecks().AddCheck<StatusHealthCheck>("status", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// The API: DocumentStatusService on Grpc.AspNetCore with its JSON face (HTTP/JSON transcoding of the proto's
    /// google.api.http rules), grpc.health.v1 fed by the readiness checks, server reflection, bearer authentication.
    /// </summary>
    public static IHostApplicationBuilder AddStatusApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatusApiOptions>().BindConfiguration(StatusApiOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StatusApiOptions>, StatusApiOptionsValidator>();
        builder.Services.AddSingleton<DocumentStatusGrpcService>();
        builder.Services.AddSingleton<BearerTokenDigests>();
        // Per request, resolved from DI (ASP.NET Core would otherwise build the handler by reflection each time).
        builder.Services.AddTransient<BearerTokenAuthenticationHandler>();
        builder.Services.AddSingleton<ApiMetricsInterceptor>();
        builder.Services.AddGrpc(o =>
            {
                o.EnableDetailedErrors = false;
                o.Interceptors.Add<ApiMetricsInterceptor>();
            })
            .AddJsonTranscoding();
        builder.Services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<IOptions<StatusApiOptions>>((grpc, api) =>
        {
            grpc.MaxReceiveMessageSize = api.Value.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = api.Value.MaxSendMessageSize;
        });

        // grpc.health.v1: "" and the API's own name answer SERVING only while the readiness checks pass (store
        // reachable, projection running), recomputed on every Check, so Kubernetes' gRPC probe sees the truth.
        builder.Services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", r => r.Tags.Contains("ready"));
            o.Services.Map(DocumentStatusService.Descriptor.FullName, r => r.Tags.Contains("ready"));
        });
        builder.Services.AddGrpcReflection();
        // No default scheme: the API's policy names its scheme, so only calls to protected endpoints are authenticated.
        // ASP.NET Core makes a lone scheme the default, which authenticates every request (probes, reflection, and all
        // calls of a deployment without tokens: 6 % of a GetDocumentStatus call's CPU); this documented switch stops that.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        builder.Services.AddAuthentication(o => o.AddScheme<BearerTokenAuthenticationHandler>(BearerTokenAuthenticationHandler.SchemeName, null));
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>Maps DocumentStatusService (gRPC and JSON), grpc.health.v1.Health and server reflection (v1 and v1alpha).</summary>
    public static IEndpointRouteBuilder MapStatusService(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGrpcService<DocumentStatusGrpcService>();
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<StatusApiOptions>>().Value.BearerTokens.Count > 0)
        {
            api.RequireAuthorization(policy => policy.AddAuthenticationSchemes(BearerTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        }

        // Open: probes and tools must reach them without credentials; they reveal no document data.
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }

    /// <summary>
    /// Builds the status service: HTTP/1.1 health on "urls" (default <see cref="DefaultUrls"/>) and HTTP/2-only gRPC on
    /// Status:GrpcAddress:Status:GrpcPort. Kafka comes from the "Kafka" section, the registry from the "SchemaRegistry" section (Status:SchemaRegistryUrl still wins when set).
    /// </summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddStreamingDefaults();
        builder.AddStatusService();
        configure?.Invoke(builder);

        // Both endpoints are declared in code (gRPC needs its own HTTP/2-only port), so "urls" is read here and
        // turned into HTTP/1.1 endpoints (Kestrel logs once that code-defined endpoints override it).
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            var endpoints = kestrel.ApplicationServices.GetRequiredService<StatusEndpoints>();
            var status = kestrel.ApplicationServices.GetRequiredService<IOptions<StatusOptions>>().Value;
            foreach (var url in (string.IsNullOrWhiteSpace(urls) ? DefaultUrls : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (address, port) = ParseHttpUrl(url);
                kestrel.Listen(address, port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endpoints.Http.Add(listen);
                });
            }

            // gRPC needs its own HTTP/2-only port: without TLS, a port offering HTTP/1.1 too speaks HTTP/1.1 to h2c clients.
            kestrel.Listen(GrpcIp(status.GrpcAddress), status.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                endpoints.Grpc = listen;
            });
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapMetrics();
        app.MapStatusService();
        return app;
    }

    /// <summary>Where the gRPC endpoint listens (after start; a configured port 0 is resolved).</summary>
    public static Uri GrpcAddress(this WebApplication app) => app.Services.GetRequiredService<StatusEndpoints>().GrpcUri;

    /// <summary>Where the HTTP/1.1 (health) endpoints listen, after start.</summary>
    public static IReadOnlyList<Uri> HttpAddresses(this WebApplication app) => app.Services.GetRequiredService<StatusEndpoints>().HttpUris;

    internal static IStatusStore CreateStore(StatusOptions options) =>
        options.UsesPostgres
            ? new PostgresStatusStore(options.ConnectionString!, options.EffectiveInstanceId)
            : new SqliteStatusStore(options.SqlitePath);

    private static bool IsPostgresConnectionString(string connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static IPAddress GrpcIp(string address) => address switch
    {
        "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(address),
    };

    private static (IPAddress Address, int Port) ParseHttpUrl(string url)
    {
        // Kestrel's wildcard hosts are not valid URI hosts: swap them before parsing.
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"urls: '{url}' is not an http:// URL (the status service serves plain HTTP; terminate TLS in front of it)");
        }

        var address = uri.Host switch
        {
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) => ip,
            _ => throw new InvalidOperationException($"urls: '{url}' must name an IP address, localhost or * as its host"),
        };
        return (address, uri.Port);
    }
}

/// <summary>The Kestrel endpoints the status service declared, to report their bound ports.</summary>
public sealed class StatusEndpoints
{
    internal List<ListenOptions> Http { get; } = [];

    internal ListenOptions? Grpc { get; set; }

    public Uri GrpcUri => Grpc is { } g ? Describe(g) : throw new InvalidOperationException("the gRPC endpoint is not configured yet (start the application first)");

    public IReadOnlyList<Uri> HttpUris => Http.Select(Describe).ToList();

    private static Uri Describe(ListenOptions listen)
    {
        var endpoint = listen.IPEndPoint!;
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : endpoint.Address.ToString();
        return new Uri($"http://{(endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host)}:{endpoint.Port}");
    }
}
