namespace streaming.documents.v1;

/// <summary>Who or what a Subject is (Avro enum streaming.documents.v1.SubjectKind).</summary>
public enum SubjectKind
{
    OTHER,
    SIGNER,
    LINK,
    CUSTOMER,
    TRANSACTION,
    VERIFICATION,
}
