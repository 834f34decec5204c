using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Streaming.Grpc.Tests.Support;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Streaming.Grpc.Tests;

public sealed class ReflectionTests : IClassFixture<GrpcServerFixture>
{
    private const string V1Path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
    private readonly GrpcServerFixture _fixture;

    public ReflectionTests(GrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Lists_every_mapped_service()
    {
        var result = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { ListServices = "" });
        var response = result.SingleMessage(ServerReflectionResponse.Parser);

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "streaming.status.v1.DocumentStatusService"],
            response.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal("", response.OriginalRequest.ListServices);
    }

    [Theory]
    [InlineData("streaming.status.v1.DocumentStatusService")]
    [InlineData("streaming.status.v1.DocumentStatusService.WatchDocumentStatus")]
    [InlineData("streaming.status.v1.DocumentState")]
    [InlineData("streaming.status.v1.DocumentStatus")]
    [InlineData("streaming.status.v1.DocumentState.last_event")]
    public async Task File_containing_symbol_comes_with_its_dependencies(string symbol)
    {
        var result = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { FileContainingSymbol = symbol });
        var files = result.SingleMessage(ServerReflectionResponse.Parser).FileDescriptorResponse.FileDescriptorProto
            .Select(FileDescriptorProto.Parser.ParseFrom)
            .ToList();

        Assert.Equal("status/v1/document_status.proto", files[0].Name);
        Assert.Contains(files, f => f.Name == "google/protobuf/timestamp.proto");
        // The protos are complete enough to rebuild descriptors from, as reflection clients do.
        var built = FileDescriptor.BuildFromByteStrings(files.AsEnumerable().Reverse().Select(f => f.ToByteString()));
        var service = built.Single(f => f.Name == "status/v1/document_status.proto").Services.Single();
        Assert.Equal("streaming.status.v1.GetDocumentStatusRequest", service.FindMethodByName("GetDocumentStatus").InputType.FullName);
    }

    [Fact]
    public async Task File_by_filename()
    {
        var result = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });
        var file = FileDescriptorProto.Parser.ParseFrom(Assert.Single(result.SingleMessage(ServerReflectionResponse.Parser).FileDescriptorResponse.FileDescriptorProto));
        Assert.Equal("grpc.health.v1", file.Package);
    }

    [Theory]
    [InlineData("no.such.Symbol")]
    [InlineData("")]
    public async Task Unknown_symbol_is_an_error_response_not_a_failed_call(string symbol)
    {
        var result = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { FileContainingSymbol = symbol });
        var response = result.SingleMessage(ServerReflectionResponse.Parser);
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal((int)StatusCode.NotFound, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Extension_numbers_of_a_known_type_are_listed_and_of_an_unknown_type_not_found()
    {
        var known = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { AllExtensionNumbersOfType = "streaming.status.v1.DocumentState" });
        Assert.Equal("streaming.status.v1.DocumentState", known.SingleMessage(ServerReflectionResponse.Parser).AllExtensionNumbersResponse.BaseTypeName);
        var unknown = await _fixture.Client.UnaryAsync(V1Path, new ServerReflectionRequest { AllExtensionNumbersOfType = "no.Such" });
        Assert.Equal((int)StatusCode.NotFound, unknown.SingleMessage(ServerReflectionResponse.Parser).ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task V1alpha_answers_the_same()
    {
        var result = await _fixture.Client.UnaryAsync("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", new V1Alpha.ServerReflectionRequest { Host = "h", ListServices = "*" });
        var response = result.SingleMessage(V1Alpha.ServerReflectionResponse.Parser);
        Assert.Equal("h", response.ValidHost);
        Assert.Contains(response.ListServicesResponse.Service, s => s.Name == "streaming.status.v1.DocumentStatusService");
    }

    [Fact]
    public async Task Answers_each_request_as_it_arrives_on_an_open_stream()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var requests = Channel.CreateUnbounded<byte[]>();
        var request = _fixture.Client.Request(V1Path, []);
        request.Content = new ChannelContent(requests.Reader);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        await requests.Writer.WriteAsync(RawGrpcClient.Frames(new ServerReflectionRequest { ListServices = "" }), timeout.Token);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);

        var first = ServerReflectionResponse.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.NotNull(first.ListServicesResponse);

        // The request stream is still open: the second answer must not wait for it to end.
        await requests.Writer.WriteAsync(RawGrpcClient.Frames(new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health" }), timeout.Token);
        var second = ServerReflectionResponse.Parser.ParseFrom(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal("grpc/health/v1/health.proto", FileDescriptorProto.Parser.ParseFrom(second.FileDescriptorResponse.FileDescriptorProto[0]).Name);

        requests.Writer.Complete();
        Assert.Null(await RawGrpcClient.ReadFrameAsync(stream, timeout.Token));
        Assert.Equal("0", string.Join(",", response.TrailingHeaders.GetValues("grpc-status")));
    }

    /// <summary>A request body that sends whatever the test writes to the channel, when it writes it.</summary>
    private sealed class ChannelContent : HttpContent
    {
        private readonly ChannelReader<byte[]> _reader;

        public ChannelContent(ChannelReader<byte[]> reader)
        {
            _reader = reader;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await foreach (var chunk in _reader.ReadAllAsync())
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
