using System.Net;

namespace Streaming.SchemaRegistry;

/// <summary>
/// A registry request the endpoint refuses, with the HTTP status and Confluent's <c>error_code</c>
/// (see <see cref="SchemaRegistryErrorCodes"/>) it answers with. Clients see Confluent's own
/// Confluent.SchemaRegistry.SchemaRegistryException, with the same status and code.
/// </summary>
public sealed class SchemaRegistryException : Exception
{
    public SchemaRegistryException(HttpStatusCode statusCode, int errorCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    public SchemaRegistryException(HttpStatusCode statusCode, int errorCode, string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    public SchemaRegistryException()
        : this(HttpStatusCode.InternalServerError, SchemaRegistryErrorCodes.Unknown, "Schema registry error.")
    {
    }

    public SchemaRegistryException(string message)
        : this(HttpStatusCode.InternalServerError, SchemaRegistryErrorCodes.Unknown, message)
    {
    }

    public SchemaRegistryException(string message, Exception innerException)
        : this(HttpStatusCode.InternalServerError, SchemaRegistryErrorCodes.Unknown, message, innerException)
    {
    }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Confluent's <c>error_code</c>, or <see cref="SchemaRegistryErrorCodes.Unknown"/>.</summary>
    public int ErrorCode { get; }

    internal static SchemaRegistryException SubjectNotFound(string subject) =>
        new(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectNotFound, $"Subject '{subject}' not found.");

    internal static SchemaRegistryException VersionNotFound(string subject, int version) =>
        new(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.VersionNotFound, $"Version {version} not found for subject '{subject}'.");

    internal static SchemaRegistryException SchemaNotFound(string what) =>
        new(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaNotFound, $"Schema {what} not found.");

    internal static SchemaRegistryException InvalidSchema(string detail) =>
        new(HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidSchema, $"Invalid schema: {detail}");

    internal static SchemaRegistryException InvalidVersion(string version) =>
        new(HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidVersion,
            $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\".");

    internal static SchemaRegistryException BadRequest(string message) =>
        new(HttpStatusCode.BadRequest, SchemaRegistryErrorCodes.BadRequest, message);
}
