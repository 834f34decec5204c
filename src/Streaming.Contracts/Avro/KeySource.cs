namespace streaming.documents.v1;

/// <summary>What DocumentEvent.document_token holds (Avro enum streaming.documents.v1.KeySource).</summary>
public enum KeySource
{
    DOCUMENT,
    CORRELATION,
}
