using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;

namespace Streaming.Grpc;

/// <summary>
/// Answers server reflection questions about the services mapped in this process, from their
/// compiled-in descriptors. Files come as serialized FileDescriptorProtos with their transitive
/// dependencies (e.g. google/protobuf/timestamp.proto), requested file first.
/// </summary>
internal sealed class ServerReflectionResponder
{
    private readonly GrpcServiceRegistry _registry;
    private readonly Lock _lock = new();
    private Index? _index;

    public ServerReflectionResponder(GrpcServiceRegistry registry)
    {
        _registry = registry;
    }

    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        var index = CurrentIndex();
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = new ListServiceResponse();
                response.ListServicesResponse.Service.AddRange(index.Services.Select(s => new ServiceResponse { Name = s }));
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, index.Files.GetValueOrDefault(request.FileByFilename), $"file '{request.FileByFilename}' is not known to this server");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, index.Symbols.GetValueOrDefault(TrimLeadingDot(request.FileContainingSymbol)), $"symbol '{request.FileContainingSymbol}' is not known to this server");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extendee = TrimLeadingDot(request.FileContainingExtension.ContainingType);
                var extension = index.Extensions.FirstOrDefault(e => e.ExtendeeType.FullName == extendee && e.FieldNumber == request.FileContainingExtension.ExtensionNumber);
                SetFile(response, extension?.File, $"no extension {request.FileContainingExtension.ExtensionNumber} of '{extendee}' is known to this server");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var typeName = TrimLeadingDot(request.AllExtensionNumbersOfType);
                if (!index.MessageTypes.Contains(typeName))
                {
                    SetError(response, StatusCode.NotFound, $"message type '{request.AllExtensionNumbersOfType}' is not known to this server");
                    break;
                }

                response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = typeName };
                response.AllExtensionNumbersResponse.ExtensionNumber.AddRange(
                    index.Extensions.Where(e => e.ExtendeeType.FullName == typeName).Select(e => e.FieldNumber));
                break;

            default:
                SetError(response, StatusCode.InvalidArgument, "the reflection request sets none of its message_request fields");
                break;
        }

        return response;
    }

    private static string TrimLeadingDot(string name) => name.StartsWith('.') ? name[1..] : name;

    private static void SetFile(ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }

        var files = new FileDescriptorResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        AddWithDependencies(file, files, seen);
        response.FileDescriptorResponse = files;
    }

    private static void AddWithDependencies(FileDescriptor file, FileDescriptorResponse files, HashSet<string> seen)
    {
        if (!seen.Add(file.Name))
        {
            return;
        }

        files.FileDescriptorProto.Add(file.SerializedData);
        foreach (var dependency in file.Dependencies)
        {
            AddWithDependencies(dependency, files, seen);
        }
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message) =>
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };

    private Index CurrentIndex()
    {
        var services = _registry.Services;
        lock (_lock)
        {
            if (_index is null || _index.Services.Count != services.Count)
            {
                _index = new Index(services);
            }

            return _index;
        }
    }

    /// <summary>Lookup tables over the mapped services' files and everything they import.</summary>
    private sealed class Index
    {
        public Index(IReadOnlyList<ServiceDescriptor> services)
        {
            Services = services.Select(s => s.FullName).ToList();
            foreach (var service in services)
            {
                AddFile(service.File);
            }
        }

        public List<string> Services { get; }

        public Dictionary<string, FileDescriptor> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FileDescriptor> Symbols { get; } = new(StringComparer.Ordinal);

        public HashSet<string> MessageTypes { get; } = new(StringComparer.Ordinal);

        public List<FieldDescriptor> Extensions { get; } = [];

        private void AddFile(FileDescriptor file)
        {
            if (!Files.TryAdd(file.Name, file))
            {
                return;
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message);
            }

            foreach (var enumType in file.EnumTypes)
            {
                Symbols.TryAdd(enumType.FullName, file);
            }

            foreach (var service in file.Services)
            {
                Symbols.TryAdd(service.FullName, file);
                foreach (var method in service.Methods)
                {
                    Symbols.TryAdd(service.FullName + "." + method.Name, file);
                }
            }

            foreach (var extension in file.Extensions.UnorderedExtensions)
            {
                Symbols.TryAdd(extension.FullName, file);
                Extensions.Add(extension);
            }

            foreach (var dependency in file.Dependencies)
            {
                AddFile(dependency);
            }
        }

        private void AddMessage(MessageDescriptor message)
        {
            Symbols.TryAdd(message.FullName, message.File);
            MessageTypes.Add(message.FullName);
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                Symbols.TryAdd(field.FullName, message.File);
            }

            foreach (var nested in message.NestedTypes)
            {
                AddMessage(nested);
            }

            foreach (var enumType in message.EnumTypes)
            {
                Symbols.TryAdd(enumType.FullName, message.File);
            }

            foreach (var extension in message.Extensions.UnorderedExtensions)
            {
                Symbols.TryAdd(extension.FullName, message.File);
                Extensions.Add(extension);
            }
        }
    }
}
