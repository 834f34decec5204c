using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Streaming.Contracts.Status.V1;

namespace Streaming.Grpc.Tests;

public sealed class GrpcServiceBinderTests
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor StatusService = DocumentStatusReflection.Descriptor.Services[0];

    [Fact]
    public void Routes_come_from_the_descriptor()
    {
        Assert.Equal("/streaming.status.v1.DocumentStatusService/GetDocumentStatus", GrpcServiceBinder.PathOf(StatusService.FindMethodByName("GetDocumentStatus")));
        Assert.Equal("/grpc.health.v1.Health/Watch", GrpcServiceBinder.PathOf(HealthReflection.Descriptor.Services[0].FindMethodByName("Watch")));
    }

    [Fact]
    public void Unknown_method_name_fails_at_mapping_and_lists_the_real_ones()
    {
        using var app = NewApp();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, b =>
            b.Unary<GetDocumentStatusRequest, DocumentState>("GetDocumentStatuss", (_, _) => Task.FromResult(new DocumentState()))));
        Assert.Contains("no method 'GetDocumentStatuss'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GetDocumentStatus, ListDocumentEvents", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_request_type_fails_at_mapping()
    {
        using var app = NewApp();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, b =>
            b.Unary<ListDocumentsRequest, DocumentState>("GetDocumentStatus", (_, _) => Task.FromResult(new DocumentState()))));
        Assert.Contains("streaming.status.v1.GetDocumentStatusRequest as its request", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_response_type_fails_at_mapping()
    {
        using var app = NewApp();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, b =>
            b.Unary<GetDocumentStatusRequest, ListDocumentsResponse>("GetDocumentStatus", (_, _) => Task.FromResult(new ListDocumentsResponse()))));
        Assert.Contains("as its response", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Streaming_method_bound_as_unary_fails_at_mapping()
    {
        using var app = NewApp();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, b =>
            b.Unary<WatchDocumentStatusRequest, DocumentStatusChange>("WatchDocumentStatus", (_, _) => Task.FromResult(new DocumentStatusChange()))));
        Assert.Contains("is server streaming, but was bound as unary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binding_a_method_twice_fails()
    {
        using var app = NewApp();
        Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, b => b
            .Unary<GetDocumentStatusRequest, DocumentState>("GetDocumentStatus", (_, _) => Task.FromResult(new DocumentState()))
            .Unary<GetDocumentStatusRequest, DocumentState>("GetDocumentStatus", (_, _) => Task.FromResult(new DocumentState()))));
    }

    [Fact]
    public void Mapping_a_service_twice_fails()
    {
        using var app = NewApp();
        app.MapGrpcService(StatusService, _ => { });
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, _ => { }));
        Assert.Contains("mapped twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_without_AddStreamingGrpc_says_what_to_call()
    {
        using var app = WebApplication.CreateSlimBuilder().Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService(StatusService, _ => { }));
        Assert.Contains("AddStreamingGrpc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_without_echoing_tokens()
    {
        await using var app = NewApp(o =>
        {
            o.MaxReceiveMessageSize = 0;
            o.BearerTokens.Add("short-secret");
        });
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("MaxReceiveMessageSize", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BearerTokens:0", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", ex.Message, StringComparison.Ordinal);
    }

    private static WebApplication NewApp(Action<GrpcServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddStreamingGrpc(configure);
        return builder.Build();
    }
}
