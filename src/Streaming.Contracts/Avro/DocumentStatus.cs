namespace streaming.documents.v1;

/// <summary>The document status an event implies (Avro enum streaming.documents.v1.DocumentStatus).</summary>
public enum DocumentStatus
{
    UNKNOWN,
    PENDING,
    IN_PROGRESS,
    NEEDS_REVIEW,
    COMPLETED,
    REJECTED,
}
