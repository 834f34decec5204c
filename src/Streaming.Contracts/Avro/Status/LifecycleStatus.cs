namespace streaming.documents.status.v1;

/// <summary>A document's status in a snapshot (Avro enum streaming.documents.status.v1.LifecycleStatus); symbols in the contract's order.</summary>
public enum LifecycleStatus
{
    UNKNOWN,
    PENDING,
    IN_PROGRESS,
    NEEDS_REVIEW,
    COMPLETED,
    REJECTED,
}
