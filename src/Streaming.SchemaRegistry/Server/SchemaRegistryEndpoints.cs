using System.Data.Common;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Streaming.SchemaRegistry.Server;

/// <summary>
/// The Confluent Schema Registry REST API subset that Confluent's serializers, clients and common tools use.
/// Deletes are soft: versions disappear from listings but their schema ids stay resolvable.
/// </summary>
public static class SchemaRegistryEndpoints
{
    private static readonly RegistryJsonContext Json = RegistryJsonContext.Default;

    /// <summary>Maps the registry under <paramref name="prefix"/> (empty: at the root, as Confluent serves it).</summary>
    public static RouteGroupBuilder MapSchemaRegistry(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var api = endpoints.MapGroup(prefix);
        api.AddEndpointFilter(AnswerErrors);
        api.AddEndpointFilter(RefuseWritesWhenReadOnly);

        api.MapGet("/", () => Ok(new EmptyResponse(), Json.EmptyResponse));

        api.MapGet("/subjects", async (SchemaRegistryService registry, bool? deleted, CancellationToken ct) =>
            Ok(await registry.GetSubjectsAsync(deleted ?? false, ct), Json.IReadOnlyListString));

        api.MapGet("/subjects/{subject}/versions", async (SchemaRegistryService registry, string subject, bool? deleted, CancellationToken ct) =>
            Ok(await registry.GetVersionsAsync(Subject(subject), deleted ?? false, ct), Json.IReadOnlyListInt32));

        api.MapGet("/subjects/{subject}/versions/{version}",
            async (SchemaRegistryService registry, string subject, string version, bool? deleted, CancellationToken ct) =>
                Ok(await registry.GetVersionAsync(Subject(subject), version, deleted ?? false, ct), Json.RegisteredSchema));

        api.MapGet("/subjects/{subject}/versions/{version}/schema",
            async (SchemaRegistryService registry, string subject, string version, bool? deleted, CancellationToken ct) =>
                RawSchema((await registry.GetVersionAsync(Subject(subject), version, deleted ?? false, ct)).Schema));

        api.MapPost("/subjects/{subject}/versions", async (HttpRequest request, SchemaRegistryService registry, string subject, CancellationToken ct) =>
        {
            var body = await ReadAsync(request, Json.SchemaRequest, ct);
            var id = await registry.RegisterAsync(Subject(subject), body.Schema, body.SchemaType, HasReferences(body), ct);
            return Ok(new RegisterResponse(id), Json.RegisterResponse);
        });

        api.MapPost("/subjects/{subject}", async (HttpRequest request, SchemaRegistryService registry, string subject, bool? deleted, CancellationToken ct) =>
        {
            var body = await ReadAsync(request, Json.SchemaRequest, ct);
            return Ok(
                await registry.LookupAsync(Subject(subject), body.Schema, body.SchemaType, HasReferences(body), deleted ?? false, ct),
                Json.RegisteredSchema);
        });

        api.MapDelete("/subjects/{subject}", async (SchemaRegistryService registry, string subject, bool? permanent, CancellationToken ct) =>
            Ok(await registry.DeleteSubjectAsync(Subject(subject), permanent ?? false, ct), Json.IReadOnlyListInt32));

        api.MapDelete("/subjects/{subject}/versions/{version}",
            async (SchemaRegistryService registry, string subject, string version, bool? permanent, CancellationToken ct) =>
                Ok(await registry.DeleteVersionAsync(Subject(subject), version, permanent ?? false, ct), Json.Int32));

        api.MapGet("/schemas/ids/{id}", async (SchemaRegistryService registry, string id, CancellationToken ct) =>
        {
            var schema = await registry.GetSchemaAsync(SchemaId(id), ct);
            return Ok(new SchemaByIdResponse(schema.Schema) { SchemaType = schema.SchemaType == "AVRO" ? null : schema.SchemaType },
                Json.SchemaByIdResponse);
        });

        api.MapGet("/schemas/ids/{id}/schema", async (SchemaRegistryService registry, string id, CancellationToken ct) =>
            RawSchema((await registry.GetSchemaAsync(SchemaId(id), ct)).Schema));

        api.MapGet("/schemas/types", () => Ok<IReadOnlyList<string>>(["AVRO"], Json.IReadOnlyListString));

        api.MapPost("/compatibility/subjects/{subject}/versions/{version}",
            (HttpRequest request, SchemaRegistryService registry, string subject, string version, bool? verbose, CancellationToken ct) =>
                TestCompatibilityAsync(request, registry, Subject(subject), version, verbose ?? false, ct));

        api.MapPost("/compatibility/subjects/{subject}/versions",
            (HttpRequest request, SchemaRegistryService registry, string subject, bool? verbose, CancellationToken ct) =>
                TestCompatibilityAsync(request, registry, Subject(subject), null, verbose ?? false, ct));

        // Confluent's clients (2.16+) ask which subject a topic is associated with before falling back to
        // TopicNameStrategy; this registry keeps no associations, so every topic uses the fallback.
        api.MapGet("/associations/resources/{resourceNamespace}/{resourceName}", (string resourceNamespace, string resourceName) =>
            Ok<IReadOnlyList<string>>([], Json.IReadOnlyListString));

        api.MapGet("/config", async (SchemaRegistryService registry, CancellationToken ct) =>
            Config(await registry.GetCompatibilityAsync(null, defaultToGlobal: false, ct)));

        api.MapPut("/config", (HttpRequest request, SchemaRegistryService registry, CancellationToken ct) =>
            SetConfigAsync(request, registry, null, ct));

        api.MapDelete("/config", async (SchemaRegistryService registry, CancellationToken ct) =>
            Config(await registry.DeleteCompatibilityAsync(null, ct)));

        api.MapGet("/config/{subject}", async (SchemaRegistryService registry, string subject, bool? defaultToGlobal, CancellationToken ct) =>
            Config(await registry.GetCompatibilityAsync(Subject(subject), defaultToGlobal ?? false, ct)));

        api.MapPut("/config/{subject}", (HttpRequest request, SchemaRegistryService registry, string subject, CancellationToken ct) =>
            SetConfigAsync(request, registry, Subject(subject), ct));

        api.MapDelete("/config/{subject}", async (SchemaRegistryService registry, string subject, CancellationToken ct) =>
            Config(await registry.DeleteCompatibilityAsync(Subject(subject), ct)));

        api.MapGet("/mode", (RegistryMode mode) => Ok(new ModeBody(mode.Name), Json.ModeBody));

        api.MapPut("/mode", async (HttpRequest request, RegistryMode mode, CancellationToken ct) =>
            Ok(new ModeBody(mode.Set((await ReadAsync(request, Json.ModeBody, ct)).Mode)), Json.ModeBody));

        return api;
    }

    // Writes: registering (POST .../versions), deleting, and changing compatibility. Lookups (POST /subjects/{s}) and
    // compatibility tests (POST /compatibility/...) only read; PUT /mode stays open so an operator can switch back.
    private static async ValueTask<object?> RefuseWritesWhenReadOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var path = (context.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? request.Path.Value ?? "";
        var write = HttpMethods.IsDelete(request.Method)
            || (HttpMethods.IsPut(request.Method) && !path.EndsWith("/mode", StringComparison.Ordinal))
            || (HttpMethods.IsPost(request.Method) && path.EndsWith("/subjects/{subject}/versions", StringComparison.Ordinal));
        if (write && context.HttpContext.RequestServices.GetService(typeof(RegistryMode)) is RegistryMode { IsReadOnly: true })
        {
            return Error(HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.OperationNotPermitted,
                "The registry is in READONLY mode: registering, deleting and changing compatibility are not permitted (PUT /mode {\"mode\":\"READWRITE\"} to change it)");
        }

        return await next(context);
    }

    private static async Task<IResult> TestCompatibilityAsync(
        HttpRequest request, SchemaRegistryService registry, string subject, string? version, bool verbose, CancellationToken ct)
    {
        var body = await ReadAsync(request, Json.SchemaRequest, ct);
        var result = await registry.TestCompatibilityAsync(subject, version, body.Schema, body.SchemaType, HasReferences(body), ct);
        return Ok(new CompatibilityResponse(result.IsCompatible) { Messages = verbose ? result.Messages : null }, Json.CompatibilityResponse);
    }

    private static async Task<IResult> SetConfigAsync(HttpRequest request, SchemaRegistryService registry, string? subject, CancellationToken ct)
    {
        var body = await ReadAsync(request, Json.ConfigUpdate, ct);
        var level = await registry.SetCompatibilityAsync(subject, body.Compatibility, ct);
        return Ok(new ConfigUpdate(CompatibilityLevelNames.ToName(level)), Json.ConfigUpdate);
    }

    private static IResult Config(CompatibilityLevel level) =>
        Ok(new ConfigResponse(CompatibilityLevelNames.ToName(level)), Json.ConfigResponse);

    private static IResult Ok<T>(T value, JsonTypeInfo<T> type) =>
        Results.Json(value, type, SchemaRegistryMediaTypes.V1Json);

    // Confluent answers the bare schema text, which is itself JSON.
    private static IResult RawSchema(string schema) => Results.Text(schema, SchemaRegistryMediaTypes.V1Json);

    // Routing decodes every escape in a segment but %2F; subjects may contain '/', so decode it here.
    private static string Subject(string routeValue) =>
        routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static int SchemaId(string routeValue) =>
        int.TryParse(routeValue, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : throw SchemaRegistryException.SchemaNotFound($"with id {routeValue}");

    private static bool HasReferences(SchemaRequest body) => body.References is { Count: > 0 };

    private static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        if (request.ContentType is { } contentType
            && !(MediaTypeHeaderValue.TryParse(contentType, out var parsed)
                 && SchemaRegistryMediaTypes.IsAccepted(parsed.MediaType.Value)))
        {
            throw new SchemaRegistryException(HttpStatusCode.UnsupportedMediaType, SchemaRegistryErrorCodes.UnsupportedMediaType,
                $"Content type '{contentType}' is not supported; send {SchemaRegistryMediaTypes.V1Json}.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, ct)
                ?? throw SchemaRegistryException.BadRequest("The request body is empty.");
        }
        catch (JsonException e)
        {
            throw SchemaRegistryException.BadRequest($"The request body is not valid JSON for this request: {e.Message}");
        }
    }

    private static async ValueTask<object?> AnswerErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (SchemaRegistryException e)
        {
            return Error(e.StatusCode, e.ErrorCode, e.Message);
        }
        catch (DbException e)
        {
            return Error(HttpStatusCode.InternalServerError, SchemaRegistryErrorCodes.BackendStoreError,
                $"Error in the backend data store: {e.Message}");
        }
    }

    private static IResult Error(HttpStatusCode status, int errorCode, string message) =>
        Results.Json(new ErrorResponse(errorCode, message), Json.ErrorResponse, SchemaRegistryMediaTypes.V1Json, (int)status);
}
