namespace Streaming.SchemaRegistry;

/// <summary>The <c>error_code</c> values of Confluent Schema Registry's REST API that the endpoint answers with.</summary>
public static class SchemaRegistryErrorCodes
{
    /// <summary>No Confluent error code applies.</summary>
    public const int Unknown = -1;
    public const int BadRequest = 400;
    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
    public const int SubjectSoftDeleted = 40404;
    public const int SchemaVersionSoftDeleted = 40406;
    public const int SubjectCompatibilityNotConfigured = 40408;
    public const int IncompatibleSchema = 409;
    public const int UnsupportedMediaType = 415;
    public const int InvalidSchema = 42201;
    public const int InvalidVersion = 42202;
    public const int InvalidCompatibilityLevel = 42203;
    public const int InvalidMode = 42204;
    public const int OperationNotPermitted = 42205;
    public const int BackendStoreError = 50001;
}
