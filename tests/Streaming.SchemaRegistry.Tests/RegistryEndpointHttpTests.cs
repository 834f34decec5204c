using System.Net;
using System.Text;
using System.Text.Json;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>The endpoint's wire behaviour as a plain HTTP client sees it: media types, shapes, error bodies.</summary>
public sealed class RegistryEndpointHttpTests : IAsyncLifetime
{
    private RegistryHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await RegistryHost.StartAsync();
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Root_answers_an_empty_object_and_types_list_only_AVRO()
    {
        var root = await _http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(SchemaRegistryMediaTypes.V1Json, root.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{}", await root.Content.ReadAsStringAsync());

        Assert.Equal("""["AVRO"]""", await _http.GetStringAsync(new Uri("/schemas/types", UriKind.Relative)));
    }

    [Theory]
    [InlineData(SchemaRegistryMediaTypes.V1Json)]
    [InlineData(SchemaRegistryMediaTypes.Json)]
    [InlineData(SchemaRegistryMediaTypes.PlainJson)]
    public async Task Register_accepts_the_registry_media_types_and_answers_v1(string mediaType)
    {
        var response = await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1), mediaType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SchemaRegistryMediaTypes.V1Json, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"id":1}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Register_rejects_other_media_types_with_415()
    {
        var response = await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(415, (await ErrorAsync(response)).Code);
    }

    [Fact]
    public async Task Version_answers_subject_id_version_and_schema_and_schema_endpoint_answers_the_bare_schema()
    {
        await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1));

        using var version = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/subjects/users-value/versions/latest", UriKind.Relative)));
        Assert.Equal("users-value", version.RootElement.GetProperty("subject").GetString());
        Assert.Equal(1, version.RootElement.GetProperty("id").GetInt32());
        Assert.Equal(1, version.RootElement.GetProperty("version").GetInt32());
        Assert.False(version.RootElement.TryGetProperty("schemaType", out _), "Confluent leaves schemaType out for AVRO");
        var schema = version.RootElement.GetProperty("schema").GetString();

        Assert.Equal(schema, await _http.GetStringAsync(new Uri("/subjects/users-value/versions/1/schema", UriKind.Relative)));
        Assert.Equal(schema, await _http.GetStringAsync(new Uri("/schemas/ids/1/schema", UriKind.Relative)));
        using var byId = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/schemas/ids/1", UriKind.Relative)));
        Assert.Equal(schema, byId.RootElement.GetProperty("schema").GetString());
    }

    [Theory]
    [InlineData("PROTOBUF")]
    [InlineData("JSON")]
    public async Task Rejects_schema_types_other_than_AVRO_with_42201(string schemaType)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["schema"] = "syntax = \"proto3\";", ["schemaType"] = schemaType });

        var response = await PostAsync("/subjects/users-value/versions", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(42201, (await ErrorAsync(response)).Code);
    }

    [Fact]
    public async Task Explicit_AVRO_schema_type_is_accepted()
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["schema"] = Schemas.UserV1, ["schemaType"] = "AVRO" });

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/subjects/users-value/versions", body)).StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var response = await PostAsync("/subjects/users-value/versions", "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, (await ErrorAsync(response)).Code);
    }

    [Fact]
    public async Task Config_defaults_to_BACKWARD_and_rejects_unknown_levels_with_42203()
    {
        Assert.Equal("""{"compatibilityLevel":"BACKWARD"}""", await _http.GetStringAsync(new Uri("/config", UriKind.Relative)));

        var bad = await SendAsync(HttpMethod.Put, "/config", """{"compatibility":"SIDEWAYS"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal(42203, (await ErrorAsync(bad)).Code);

        var set = await SendAsync(HttpMethod.Put, "/config/users-value", """{"compatibility":"full_transitive"}""");
        Assert.Equal("""{"compatibility":"FULL_TRANSITIVE"}""", await set.Content.ReadAsStringAsync());
        Assert.Equal("""{"compatibilityLevel":"FULL_TRANSITIVE"}""", await _http.GetStringAsync(new Uri("/config/users-value", UriKind.Relative)));
    }

    [Fact]
    public async Task Subject_config_is_40408_when_unset_unless_defaultToGlobal()
    {
        var unset = await _http.GetAsync(new Uri("/config/users-value", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unset.StatusCode);
        Assert.Equal(40408, (await ErrorAsync(unset)).Code);

        Assert.Equal("""{"compatibilityLevel":"BACKWARD"}""",
            await _http.GetStringAsync(new Uri("/config/users-value?defaultToGlobal=true", UriKind.Relative)));
    }

    [Fact]
    public async Task Deleting_a_version_hides_it_unless_deleted_is_asked_for()
    {
        await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1));
        await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV2WithDefault));

        var deleted = await _http.DeleteAsync(new Uri("/subjects/users-value/versions/latest", UriKind.Relative));
        Assert.Equal("2", await deleted.Content.ReadAsStringAsync());

        Assert.Equal("[1]", await _http.GetStringAsync(new Uri("/subjects/users-value/versions", UriKind.Relative)));
        Assert.Equal("[1,2]", await _http.GetStringAsync(new Uri("/subjects/users-value/versions?deleted=true", UriKind.Relative)));
        var again = await _http.DeleteAsync(new Uri("/subjects/users-value/versions/2", UriKind.Relative));
        Assert.Equal(40406, (await ErrorAsync(again)).Code);
    }

    [Fact]
    public async Task Compatibility_against_all_versions_checks_what_register_would()
    {
        await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1));

        var response = await PostAsync("/compatibility/subjects/users-value/versions?verbose=true", SchemaBody(Schemas.UserV2WithoutDefault));

        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(result.RootElement.GetProperty("is_compatible").GetBoolean());
        Assert.NotEqual(0, result.RootElement.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Compatibility_against_one_version_explains_only_when_verbose()
    {
        await PostAsync("/subjects/users-value/versions", SchemaBody(Schemas.UserV1));

        var verbose = await PostAsync("/compatibility/subjects/users-value/versions/latest?verbose=true", SchemaBody(Schemas.UserV2WithoutDefault));
        var terse = await PostAsync("/compatibility/subjects/users-value/versions/1", SchemaBody(Schemas.UserV2WithoutDefault));

        using var explained = JsonDocument.Parse(await verbose.Content.ReadAsStringAsync());
        Assert.False(explained.RootElement.GetProperty("is_compatible").GetBoolean());
        Assert.Contains(explained.RootElement.GetProperty("messages").EnumerateArray(), m => m.GetString()!.Contains("email", StringComparison.Ordinal));
        Assert.Equal("""{"is_compatible":false}""", await terse.Content.ReadAsStringAsync());
        Assert.Equal("[1]", await _http.GetStringAsync(new Uri("/subjects/users-value/versions", UriKind.Relative)));
    }

    private static string SchemaBody(string schema) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["schema"] = schema });

    private Task<HttpResponseMessage> PostAsync(string path, string body, string mediaType = SchemaRegistryMediaTypes.V1Json) =>
        SendAsync(HttpMethod.Post, path, body, mediaType);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, string mediaType = SchemaRegistryMediaTypes.V1Json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        return await _http.SendAsync(request);
    }

    private static async Task<(int Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(SchemaRegistryMediaTypes.V1Json, response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (error.RootElement.GetProperty("error_code").GetInt32(), error.RootElement.GetProperty("message").GetString()!);
    }
}
