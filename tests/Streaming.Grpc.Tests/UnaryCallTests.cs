using System.Net;
using Google.Protobuf;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc.Tests.Support;

namespace Streaming.Grpc.Tests;

/// <summary>Unary calls over real HTTP/2 from HttpClient, checking the wire: headers, frames, trailers.</summary>
public sealed class UnaryCallTests : IClassFixture<GrpcServerFixture>
{
    private const string Get = "/streaming.status.v1.DocumentStatusService/GetDocumentStatus";
    private const string ListEvents = "/streaming.status.v1.DocumentStatusService/ListDocumentEvents";
    private readonly GrpcServerFixture _fixture;

    public UnaryCallTests(GrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    private RawGrpcClient Client => _fixture.Client;

    [Fact]
    public async Task Unary_call_returns_one_message_and_OK_in_trailers()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" });

        Assert.Equal(HttpStatusCode.OK, result.HttpStatus);
        Assert.Equal("application/grpc", result.ContentType);
        Assert.Equal("identity", result.AcceptEncoding);
        Assert.False(result.TrailersOnly);
        Assert.Equal("0", result.TrailerStatus);
        var state = result.SingleMessage(DocumentState.Parser);
        Assert.Equal("doc-1", state.DocumentToken);
        Assert.Equal(DocumentStatus.InProgress, state.Status);
        Assert.Equal(2, state.EventCount);
        Assert.Equal("evt-2", state.LastEvent.EventId);
        Assert.Equal(GrpcServerFixture.T0, state.FirstSeenAt.ToDateTimeOffset().AddSeconds(-1));
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    public async Task Accepts_grpc_content_type_variants(string contentType)
    {
        var result = await Client.SendAsync(Client.Request(Get, RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-2" }), contentType));
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(DocumentStatus.Completed, result.SingleMessage(DocumentState.Parser).Status);
    }

    [Fact]
    public async Task Handler_error_without_messages_is_trailers_only()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "missing" });

        Assert.Equal(HttpStatusCode.OK, result.HttpStatus);
        Assert.True(result.TrailersOnly);
        Assert.Null(result.TrailerStatus);
        Assert.Empty(result.Messages);
        Assert.Equal("application/grpc", result.ContentType);
        Assert.Equal(StatusCode.NotFound, result.Status);
        Assert.Equal("document 'missing' is not known", result.Message);
    }

    [Fact]
    public async Task Status_message_is_percent_encoded_on_the_wire()
    {
        var token = "caf\u00e9/100%";
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = token });

        Assert.Equal(StatusCode.NotFound, result.Status);
        Assert.Equal("document 'caf%C3%A9/100%25' is not known", result.RawMessage);
        Assert.Equal($"document '{token}' is not known", result.Message);
    }

    [Fact]
    public async Task Invalid_argument_from_handler()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest());
        Assert.Equal(StatusCode.InvalidArgument, result.Status);
        Assert.Equal("document_token is required", result.Message);
    }

    [Fact]
    public async Task Paging_walks_events_oldest_first()
    {
        var first = (await Client.UnaryAsync(ListEvents, new ListDocumentEventsRequest { DocumentToken = "doc-1", PageSize = 1 })).SingleMessage(ListDocumentEventsResponse.Parser);
        var second = (await Client.UnaryAsync(ListEvents, new ListDocumentEventsRequest { DocumentToken = "doc-1", PageSize = 1, PageToken = first.NextPageToken })).SingleMessage(ListDocumentEventsResponse.Parser);

        Assert.Equal("evt-1", Assert.Single(first.Events).EventId);
        Assert.Equal("evt-2", Assert.Single(second.Events).EventId);
        Assert.Equal("", second.NextPageToken);
    }

    [Fact]
    public async Task Wrong_content_type_is_http_415()
    {
        var result = await Client.SendAsync(Client.Request(Get, RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-1" }), "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, result.HttpStatus);
        Assert.Null(result.Status);
    }

    [Fact]
    public async Task Grpc_web_content_type_is_http_415()
    {
        var result = await Client.SendAsync(Client.Request(Get, RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-1" }), "application/grpc-web"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, result.HttpStatus);
    }

    [Fact]
    public async Task Unknown_method_of_a_mapped_service_is_not_a_grpc_route()
    {
        var result = await Client.UnaryAsync("/streaming.status.v1.DocumentStatusService/Nope", new GetDocumentStatusRequest());
        Assert.Equal(HttpStatusCode.NotFound, result.HttpStatus);
    }

    [Fact]
    public async Task Deadline_exceeded_when_grpc_timeout_passes_and_handler_sees_cancellation()
    {
        var started = DateTime.UtcNow;
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = InMemoryDocumentStatusService.SlowToken }, timeout: "200m");

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(190));
        await _fixture.Server.Service.SlowCallCancelled.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Zero_timeout_is_deadline_exceeded()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, timeout: "0n");
        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
    }

    [Fact]
    public async Task Generous_timeout_does_not_interfere()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, timeout: "99999999H");
        Assert.Equal(StatusCode.OK, result.Status);
    }

    [Fact]
    public async Task Malformed_timeout_is_internal()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = "doc-1" }, timeout: "soon");
        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("grpc-timeout", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_over_the_receive_limit_is_resource_exhausted()
    {
        var request = new GetDocumentStatusRequest { DocumentToken = new string('d', GrpcServerFixture.MessageLimit + 1) };
        var result = await Client.UnaryAsync(Get, request);
        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
        Assert.Contains($"limit of {GrpcServerFixture.MessageLimit} bytes", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_length_over_the_limit_is_rejected_before_the_body()
    {
        byte[] header = [0, 0x7F, 0xFF, 0xFF, 0xFF];
        var result = await Client.SendAsync(Client.Request(Get, header));
        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
    }

    [Fact]
    public async Task Response_over_the_send_limit_is_resource_exhausted()
    {
        _fixture.Server.Service.HugeResponseBytes = GrpcServerFixture.MessageLimit;
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = InMemoryDocumentStatusService.HugeToken });
        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public async Task No_request_message_is_unimplemented()
    {
        var result = await Client.SendAsync(Client.Request(Get, []));
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Contains("no request message", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_request_messages_are_unimplemented()
    {
        var one = new GetDocumentStatusRequest { DocumentToken = "doc-1" };
        var result = await Client.SendAsync(Client.Request(Get, RawGrpcClient.Frames(one, one)));
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Contains("more than one request message", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_frame_is_internal()
    {
        var frame = RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-1" });
        var result = await Client.SendAsync(Client.Request(Get, frame[..^2]));
        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("ended inside a message", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_header_is_internal()
    {
        var result = await Client.SendAsync(Client.Request(Get, [0, 0, 0]));
        Assert.Equal(StatusCode.Internal, result.Status);
    }

    [Fact]
    public async Task Unparseable_message_is_internal()
    {
        // Field 1, length-delimited, claims 10 bytes but has 1.
        var result = await Client.SendAsync(Client.Request(Get, GrpcFraming.Frame([0x0A, 0x0A, 0x41])));
        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("could not be parsed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compressed_message_is_unimplemented()
    {
        var frame = RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-1" });
        frame[0] = 1;
        var request = Client.Request(Get, frame);
        request.Headers.TryAddWithoutValidation("grpc-encoding", "identity");
        var result = await Client.SendAsync(request);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Equal("identity", result.AcceptEncoding);
    }

    [Fact]
    public async Task Unsupported_grpc_encoding_is_unimplemented()
    {
        var request = Client.Request(Get, RawGrpcClient.Frames(new GetDocumentStatusRequest { DocumentToken = "doc-1" }));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        var result = await Client.SendAsync(request);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Contains("gzip", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unhandled_exception_is_internal_without_details()
    {
        var result = await Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = InMemoryDocumentStatusService.BrokenToken });
        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Equal("internal server error", result.Message);
        var logged = Assert.Single(_fixture.Server.Logs.Entries, e => e.EventId.Id == 7100);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, logged.Level);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains(Get, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_calls_on_one_connection()
    {
        var calls = Enumerable.Range(0, 50).Select(i => Client.UnaryAsync(Get, new GetDocumentStatusRequest { DocumentToken = i % 2 == 0 ? "doc-1" : "doc-2" }));
        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(StatusCode.OK, r.Status));
    }

    [Fact]
    public async Task Empty_message_fields_round_trip_as_empty_frame()
    {
        var result = await Client.SendAsync(Client.Request("/streaming.status.v1.DocumentStatusService/ListDocuments", GrpcFraming.Frame(new ListDocumentsRequest().ToByteArray())));
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(2, result.SingleMessage(ListDocumentsResponse.Parser).Documents.Count);
    }
}
