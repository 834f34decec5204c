using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Avro;

namespace Streaming.SchemaRegistry;

/// <summary>
/// A client of the Confluent Schema Registry REST API (Confluent's registry or our endpoint), with caches:
/// schemas by id and ids by (subject, schema) forever, since both are immutable; a subject's latest version
/// for <see cref="SchemaRegistryClientOptions.LatestCacheTtl"/>.
/// </summary>
public sealed class SchemaRegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseUrl;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly TimeSpan _latestTtl;
    private readonly TimeProvider _time;

    private readonly ConcurrentDictionary<int, Schema> _schemasById = new();
    private readonly ConcurrentDictionary<(string Subject, string Schema), int> _idsBySchema = new();
    private readonly ConcurrentDictionary<string, (RegisteredSchema Schema, long ExpiresAt)> _latest = new(StringComparer.Ordinal);

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    public SchemaRegistryClient(SchemaRegistryClientOptions options, TimeProvider? timeProvider = null)
        : this(CreateHttpClient(options), options, timeProvider, ownsHttp: true)
    {
    }

    /// <summary>Creates a client on a given <see cref="HttpClient"/> (e.g. from IHttpClientFactory); it is not disposed here.</summary>
    public SchemaRegistryClient(HttpClient httpClient, SchemaRegistryClientOptions options, TimeProvider? timeProvider = null)
        : this(httpClient, options, timeProvider, ownsHttp: false)
    {
    }

    private SchemaRegistryClient(HttpClient httpClient, SchemaRegistryClientOptions options, TimeProvider? timeProvider, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options.Validate();
        _http = httpClient;
        _ownsHttp = ownsHttp;
        var url = options.Url!.AbsoluteUri;
        _baseUrl = new Uri(url.EndsWith('/') ? url : url + "/");
        _authorization = options.BasicAuthUserInfo is { } userInfo
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)))
            : null;
        _latestTtl = options.LatestCacheTtl;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Registers a schema under a subject (or finds it already there) and returns its global id.</summary>
    public async Task<int> RegisterAsync(string subject, string schemaJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(schemaJson);
        var key = (subject, NormalizeForCache(schemaJson));
        if (_idsBySchema.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var response = await SendAsync(
            HttpMethod.Post, $"subjects/{Escape(subject)}/versions", SchemaBody(schemaJson),
            RegistryJsonContext.Default.RegisterResponse, cancellationToken);
        _idsBySchema[key] = response.Id;
        return response.Id;
    }

    /// <inheritdoc cref="RegisterAsync(string, string, CancellationToken)"/>
    public Task<int> RegisterAsync(string subject, Schema schema, CancellationToken cancellationToken = default) =>
        RegisterAsync(subject, schema.ToString(), cancellationToken);

    /// <summary>Finds a schema already registered under a subject (404 40401/40403 when it is not).</summary>
    public async Task<RegisteredSchema> LookupAsync(string subject, string schemaJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(schemaJson);
        var registered = await SendAsync(
            HttpMethod.Post, $"subjects/{Escape(subject)}", SchemaBody(schemaJson),
            RegistryJsonContext.Default.RegisteredSchema, cancellationToken);
        _idsBySchema[(subject, NormalizeForCache(schemaJson))] = registered.Id;
        return registered;
    }

    /// <inheritdoc cref="LookupAsync(string, string, CancellationToken)"/>
    public Task<RegisteredSchema> LookupAsync(string subject, Schema schema, CancellationToken cancellationToken = default) =>
        LookupAsync(subject, schema.ToString(), cancellationToken);

    /// <summary>Finds the id of a schema under a subject, registering it first if <paramref name="autoRegister"/>.</summary>
    public async Task<int> GetIdAsync(string subject, Schema schema, bool autoRegister, CancellationToken cancellationToken = default)
    {
        if (autoRegister)
        {
            return await RegisterAsync(subject, schema, cancellationToken);
        }

        var json = schema.ToString();
        return _idsBySchema.TryGetValue((subject, NormalizeForCache(json)), out var id)
            ? id
            : (await LookupAsync(subject, json, cancellationToken)).Id;
    }

    /// <summary>The schema with a global id; cached for the life of the client, since ids never change meaning.</summary>
    public async Task<Schema> GetSchemaByIdAsync(int id, CancellationToken cancellationToken = default)
    {
        if (_schemasById.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var response = await SendAsync(
            HttpMethod.Get, $"schemas/ids/{id}", null, RegistryJsonContext.Default.SchemaByIdResponse, cancellationToken);
        if (response.SchemaType is { } type && !string.Equals(type, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw new SchemaRegistryException(
                HttpStatusCode.OK, SchemaRegistryErrorCodes.Unknown, $"Schema {id} is a {type} schema; only AVRO is supported.");
        }

        var schema = ParseServerSchema(response.Schema, $"id {id}");
        return _schemasById.GetOrAdd(id, schema);
    }

    /// <summary>A subject's latest version, cached for <see cref="SchemaRegistryClientOptions.LatestCacheTtl"/>.</summary>
    public async Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var now = _time.GetTimestamp();
        if (_latest.TryGetValue(subject, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Schema;
        }

        var latest = await GetVersionAsync(subject, "latest", cancellationToken);
        if (_latestTtl > TimeSpan.Zero)
        {
            _latest[subject] = (latest, now + (long)(_latestTtl.TotalSeconds * _time.TimestampFrequency));
        }

        return latest;
    }

    /// <summary>One version of a subject (not cached).</summary>
    public Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default) =>
        GetVersionAsync(subject, version.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    private Task<RegisteredSchema> GetVersionAsync(string subject, string version, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/{version}", null,
            RegistryJsonContext.Default.RegisteredSchema, cancellationToken);

    /// <summary>The versions registered under a subject (soft-deleted ones excluded).</summary>
    public Task<IReadOnlyList<int>> GetVersionsAsync(string subject, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions", null,
            RegistryJsonContext.Default.IReadOnlyListInt32, cancellationToken);

    /// <summary>All subjects with at least one live version.</summary>
    public Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "subjects", null, RegistryJsonContext.Default.IReadOnlyListString, cancellationToken);

    /// <summary>Soft-deletes a subject; returns the versions deleted.</summary>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, CancellationToken cancellationToken = default)
    {
        var deleted = await SendAsync(HttpMethod.Delete, $"subjects/{Escape(subject)}", null,
            RegistryJsonContext.Default.IReadOnlyListInt32, cancellationToken);
        _latest.TryRemove(subject, out _);
        foreach (var key in _idsBySchema.Keys.Where(k => k.Subject == subject))
        {
            _idsBySchema.TryRemove(key, out _);
        }

        return deleted;
    }

    /// <summary>
    /// Tests a schema against a subject's latest version (or a given version) under the subject's
    /// compatibility level; with <paramref name="verbose"/> the registry explains an incompatibility.
    /// </summary>
    public async Task<CompatibilityCheckResult> TestCompatibilityAsync(
        string subject, string schemaJson, int? version = null, bool verbose = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(schemaJson);
        var versionPart = version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "latest";
        var query = verbose ? "?verbose=true" : string.Empty;
        var response = await SendAsync(
            HttpMethod.Post, $"compatibility/subjects/{Escape(subject)}/versions/{versionPart}{query}", SchemaBody(schemaJson),
            RegistryJsonContext.Default.CompatibilityResponse, cancellationToken);
        return new CompatibilityCheckResult(response.IsCompatible, response.Messages ?? []);
    }

    /// <summary>
    /// The compatibility level of a subject (falling back to the global level, as Confluent's
    /// <c>defaultToGlobal</c> does), or the global level when <paramref name="subject"/> is null.
    /// </summary>
    public async Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}?defaultToGlobal=true";
        var response = await SendAsync(HttpMethod.Get, path, null, RegistryJsonContext.Default.ConfigResponse, cancellationToken);
        return CompatibilityLevelNames.TryParse(response.CompatibilityLevel, out var level)
            ? level.Value
            : throw new SchemaRegistryException(HttpStatusCode.OK, SchemaRegistryErrorCodes.Unknown,
                $"The registry answered an unknown compatibility level '{response.CompatibilityLevel}'.");
    }

    /// <summary>Sets the compatibility level of a subject, or the global level when <paramref name="subject"/> is null.</summary>
    public async Task<CompatibilityLevel> SetCompatibilityAsync(
        CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}";
        var body = JsonSerializer.Serialize(new ConfigUpdate(CompatibilityLevelNames.ToName(level)), RegistryJsonContext.Default.ConfigUpdate);
        var response = await SendAsync(HttpMethod.Put, path, body, RegistryJsonContext.Default.ConfigUpdate, cancellationToken);
        return CompatibilityLevelNames.TryParse(response.Compatibility, out var set) ? set.Value : level;
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static HttpClient CreateHttpClient(SchemaRegistryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var handler = new SocketsHttpHandler();
        if (!options.EnableSslCertificateVerification)
        {
            // Explicit opt-out (SchemaRegistry:EnableSslCertificateVerification=false), as Confluent's client offers.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (options.SslCaLocation is { Length: > 0 } caLocation)
        {
            // Trust the given CA(s) for the registry, in addition to the system's store.
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caLocation);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                return chain.Build(leaf);
            };
        }

        return new HttpClient(handler) { Timeout = options.RequestTimeout };
    }

    private static string Escape(string subject) => Uri.EscapeDataString(subject);

    private static string SchemaBody(string schemaJson) =>
        JsonSerializer.Serialize(new SchemaRequest { Schema = schemaJson }, RegistryJsonContext.Default.SchemaRequest);

    // Equivalent spellings of one schema share a cache entry; text that does not parse is left to the registry to reject.
    private static string NormalizeForCache(string schemaJson)
    {
        try
        {
            return Schema.Parse(schemaJson)?.ToString() ?? schemaJson;
        }
        catch (Exception e) when (e is AvroException or Newtonsoft.Json.JsonException)
        {
            return schemaJson;
        }
    }

    private static Schema ParseServerSchema(string schemaJson, string what)
    {
        try
        {
            return Schema.Parse(schemaJson);
        }
        catch (Exception e) when (e is AvroException or Newtonsoft.Json.JsonException)
        {
            throw new SchemaRegistryException(HttpStatusCode.OK, SchemaRegistryErrorCodes.Unknown,
                $"The registry's schema {what} is not a valid Avro schema: {e.Message}", e);
        }
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method, string relativePath, string? jsonBody, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl, relativePath));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SchemaRegistryMediaTypes.V1Json));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SchemaRegistryMediaTypes.Json, 0.9));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SchemaRegistryMediaTypes.PlainJson, 0.5));
        request.Headers.Authorization = _authorization;
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, SchemaRegistryMediaTypes.V1Json);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(response.StatusCode, body);
        }

        try
        {
            return JsonSerializer.Deserialize(body, responseType)
                ?? throw new JsonException("The response body is null.");
        }
        catch (JsonException e)
        {
            throw new SchemaRegistryException(response.StatusCode, SchemaRegistryErrorCodes.Unknown,
                $"Unexpected response from {method} {relativePath}: {e.Message}", e);
        }
    }

    private static SchemaRegistryException ToException(HttpStatusCode status, byte[] body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, RegistryJsonContext.Default.ErrorResponse) is { ErrorCode: not 0 } error)
            {
                return new SchemaRegistryException(status, error.ErrorCode, error.Message ?? status.ToString());
            }
        }
        catch (JsonException)
        {
            // Not a registry error body (a proxy's HTML page, say): report the status and the start of the body.
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        return new SchemaRegistryException(status, SchemaRegistryErrorCodes.Unknown,
            $"Schema registry answered {(int)status} {status}: {text}");
    }
}
