using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Streaming.SchemaRegistry;
using Streaming.Status.Projection;
using Streaming.Status.Publishing;
using Streaming.Status.Tests.Support;
using streaming.documents.status.v1;

namespace Streaming.Status.Tests;

/// <summary>The snapshot the status service writes, against contracts/avro/DocumentStatus.avsc and its evolution rules.</summary>
public sealed class SnapshotContractTests
{
    [Fact]
    public void A_snapshot_carries_the_projected_state_with_its_version()
    {
        var events = Lifecycle.SevenEvents("contract-doc");
        var state = StatusRules.Fold(events, 1_000);

        var snapshot = SnapshotMapping.ToSnapshot(state);

        Assert.Equal(7, snapshot.Version);
        Assert.Equal(7, snapshot.EventCount);
        Assert.Equal(streaming.documents.status.v1.LifecycleStatus.REJECTED, snapshot.Status);
        Assert.Equal("contract-doc-reversed", snapshot.StatusEventId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(state.StatusChangedAtMs).UtcDateTime, snapshot.StatusChangedAt);
        Assert.Equal("CUSTOMER_REJECTED", snapshot.LastEvent.EventType);
        Assert.Equal("signer:1", snapshot.LastEvent.Subject);

        var nothingMoved = SnapshotMapping.ToSnapshot(StatusRules.Fold([events[2]], 1_000));
        Assert.Equal(streaming.documents.status.v1.LifecycleStatus.UNKNOWN, nothingMoved.Status);
        Assert.Null(nothingMoved.StatusChangedAt);
        Assert.Null(nothingMoved.StatusEventId);
    }

    [Fact]
    public void Old_readers_read_a_later_contract_with_a_new_status_and_a_new_field()
    {
        // A future contract as contracts/README.md allows: one more status symbol at the end, one more optional field.
        var futureJson = DocumentStatusSchema.Json
            .Replace("\"REJECTED\"],", "\"REJECTED\", \"ARCHIVED\"],", StringComparison.Ordinal)
            .Replace("""
                  "doc": "Every event so far was a test delivery."
                }
            """, """
                  "doc": "Every event so far was a test delivery."
                },
                { "name": "tenant", "type": ["null", "string"], "default": null }
            """, StringComparison.Ordinal);
        var future = (RecordSchema)Schema.Parse(futureJson);
        Assert.NotNull(future["tenant"]);
        Assert.True(SchemaCompatibility.Check(future, [DocumentStatus._SCHEMA], CompatibilityLevel.Full).IsCompatible);

        // Today's snapshot, as a later writer would send it: the new status, the new field set.
        var today = SnapshotMapping.ToSnapshot(StatusRules.Fold(Lifecycle.FiveEvents("evolving-doc"), 1_000));
        using var v1 = new MemoryStream();
        new SpecificDatumWriter<DocumentStatus>(DocumentStatus._SCHEMA).Write(today, new BinaryEncoder(v1));
        v1.Position = 0;
        var written = new GenericDatumReader<GenericRecord>(DocumentStatus._SCHEMA, future).Read(null!, new BinaryDecoder(v1));
        written.Add("status", new GenericEnum((EnumSchema)future["status"].Schema, "ARCHIVED"));
        written.Add("tenant", "acme");
        using var v2 = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(future).Write(written, new BinaryEncoder(v2));

        v2.Position = 0;
        var read = new SpecificDatumReader<DocumentStatus>(future, DocumentStatus._SCHEMA).Read(null!, new BinaryDecoder(v2));

        Assert.Equal(streaming.documents.status.v1.LifecycleStatus.UNKNOWN, read.Status);
        Assert.Equal(today.Version, read.Version);
        Assert.Equal(today.LastEvent.EventId, read.LastEvent.EventId);
    }
}
