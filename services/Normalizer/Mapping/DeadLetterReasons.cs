namespace Streaming.Normalizer.Mapping;

/// <summary>Values of the dlq-reason header: why a raw record could not be normalized.</summary>
public static class DeadLetterReasons
{
    /// <summary>The body is not a JSON object.</summary>
    public const string UnparsableJson = "unparsable-json";

    /// <summary>The ingress found no document token or correlation id (key-source "fallback", or no key).</summary>
    public const string MissingDocumentToken = "missing-document-token";

    /// <summary>No provider header.</summary>
    public const string MissingProvider = "missing-provider";

    /// <summary>No mapping row knows the event type (only with Normalizer:StrictEventTypes).</summary>
    public const string UnknownEventType = "unknown-event-type";

    /// <summary>The mapped event did not fit the contract (a bug or a table the contract lacks a symbol for).</summary>
    public const string ContractViolation = "contract-violation";
}
