namespace Streaming.Status.Store;

/// <summary>
/// The store's tables, as versioned migrations. One text serves SQLite and PostgreSQL: times are Unix
/// milliseconds (BIGINT), statuses the proto enum numbers, booleans 0/1; keys sort byte-wise in both ({key}).
/// A migration is appended, never edited.
/// </summary>
internal static class StoreSchema
{
    public static readonly IReadOnlyList<(int Version, string[] Statements)> Migrations =
    [
        (1,
        [
            """
            CREATE TABLE documents (
                token {key} PRIMARY KEY,
                status INTEGER NOT NULL,
                status_changed_at BIGINT NOT NULL,
                status_event_id {key} NOT NULL,
                fold_occurred_at BIGINT NOT NULL,
                fold_received_at BIGINT NOT NULL,
                fold_event_id {key} NOT NULL,
                provider TEXT NOT NULL,
                last_event_id {key} NOT NULL,
                last_provider_event_type TEXT NOT NULL,
                last_event_type TEXT NOT NULL,
                last_status INTEGER NOT NULL,
                last_occurred_at BIGINT NOT NULL,
                last_received_at BIGINT NOT NULL,
                last_test INTEGER NOT NULL,
                last_subject TEXT NOT NULL,
                last_source_topic TEXT NOT NULL,
                last_source_partition INTEGER NOT NULL,
                last_source_offset BIGINT NOT NULL,
                first_seen_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                event_count BIGINT NOT NULL,
                test INTEGER NOT NULL)
            """,
            "CREATE INDEX documents_by_update ON documents (updated_at DESC, token)",
            """
            CREATE TABLE document_events (
                event_id {key} PRIMARY KEY,
                token {key} NOT NULL,
                provider TEXT NOT NULL,
                provider_event_type TEXT NOT NULL,
                event_type TEXT NOT NULL,
                status INTEGER NOT NULL,
                occurred_at BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                test INTEGER NOT NULL,
                subject TEXT NOT NULL,
                source_topic TEXT NOT NULL,
                source_partition INTEGER NOT NULL,
                source_offset BIGINT NOT NULL,
                applied_at BIGINT NOT NULL)
            """,
            "CREATE INDEX document_events_history ON document_events (token, occurred_at, received_at, event_id)",
            """
            CREATE TABLE consumer_offsets (
                group_id {key} NOT NULL,
                topic {key} NOT NULL,
                partition_id INTEGER NOT NULL,
                next_offset BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (group_id, topic, partition_id))
            """,
            """
            CREATE TABLE status_dead_letters (
                topic {key} NOT NULL,
                partition_id INTEGER NOT NULL,
                record_offset BIGINT NOT NULL,
                record_key TEXT NULL,
                reason TEXT NOT NULL,
                recorded_at BIGINT NOT NULL,
                PRIMARY KEY (topic, partition_id, record_offset))
            """,
        ]),
        (2,
        [
            // The id the ingress answered for the webhook, so one delivery can be followed by the id its sender saw.
            "ALTER TABLE document_events ADD COLUMN provider_event_id TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE documents ADD COLUMN last_provider_event_id TEXT NOT NULL DEFAULT ''",
        ]),
        (3,
        [
            // Documents whose committed state is not yet acknowledged on documents.status.v1: written in the batch's
            // transaction, deleted once Kafka acknowledged that version (or a later one). partition_id is the
            // documents.events.v1 partition the change came from: the replica that owns it publishes the row.
            """
            CREATE TABLE status_outbox (
                token {key} PRIMARY KEY,
                partition_id INTEGER NOT NULL,
                version BIGINT NOT NULL,
                queued_at BIGINT NOT NULL)
            """,
            "CREATE INDEX status_outbox_by_partition ON status_outbox (partition_id)",
        ]),
    ];

    public static int CurrentVersion => Migrations[^1].Version;
}
