using Streaming.Kafka;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;

namespace Streaming.Normalizer.Tests;

/// <summary>The tables in contracts/mappings against the vendors' docs, and the mapper against every table row.</summary>
public sealed class MappingTableTests
{
    private static readonly MappingCatalog Catalog = MappingCatalog.LoadEmbedded();
    private static readonly EventMapper Mapper = new(Catalog, strictEventTypes: false);
    private static readonly EventMapper StrictMapper = new(Catalog, strictEventTypes: true);

    public static TheoryData<string, int> EveryRow()
    {
        var data = new TheoryData<string, int>();
        foreach (var table in Catalog.Tables.Values)
        {
            for (var i = 0; i < table.Rows.Count; i++)
            {
                data.Add(table.Provider, i);
            }
        }

        return data;
    }

    [Fact]
    public void Every_provider_has_a_table()
    {
        Assert.Equal(["generic", "inkless", "inscribe", "insigner", "instnt"], Catalog.Tables.Keys.Order());
    }

    [Fact]
    public void Inkless_table_covers_the_sixteen_events_of_its_doc()
    {
        string[] documented =
        [
            "document_signing_link_sent", "link_viewed", "link_resent", "otp_sent", "otp_verified", "document_signed",
            "document_complete", "envelope_complete", "sms_sent", "sms_delivered", "sms_failed", "email_delivered",
            "email_opened", "email_clicked", "email_bounced", "email_rejected",
        ];
        Assert.Equal(documented.Order(), Catalog.Tables["inkless"].Rows.Select(r => r.ProviderEvent).Order());
    }

    [Fact]
    public void Instnt_table_covers_transaction_and_document_events_including_the_typo()
    {
        var events = Catalog.Tables["instnt"].Rows.Select(r => r.ProviderEvent).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "transaction.initiated", "transaction.submitted", "transaction.accepted", "transaction.rejected", "transaction.review",
                "document.submitted", "document.verification.success", "docuemnt.verification.failure", "document.verification.failure",
            },
            events);
    }

    [Fact]
    public void InSigner_table_covers_the_events_its_doc_names()
    {
        var events = Catalog.Tables["insigner"].Rows.Select(r => r.ProviderEvent).ToHashSet();
        Assert.Superset(new HashSet<string> { "document.completed", "document.declined", "signer.completed" }, events);
    }

    [Fact]
    public void Inscribe_table_covers_its_three_webhook_types_and_both_approval_states()
    {
        var rows = Catalog.Tables["inscribe"].Rows;
        Assert.Equal(["collect_session.completed", "customer.approval_status_changed", "document.state_changed"], rows.Select(r => r.ProviderEvent).Distinct().Order());
        var approval = rows.Where(r => r.ProviderEvent == "customer.approval_status_changed").ToDictionary(r => r.When!.Values.Single(), r => r.Status);
        Assert.Equal("COMPLETED", approval["APPROVED"]);
        Assert.Equal("REJECTED", approval["REJECTED"]);
    }

    [Theory]
    [MemberData(nameof(EveryRow))]
    public async Task Each_row_maps_a_payload_of_its_provider(string provider, int index)
    {
        var row = Catalog.Tables[provider].Rows[index];
        var set = row.When is { } when ? new Dictionary<string, string> { [when.At.Text] = when.Values[0] } : null;
        var webhook = RawWebhooks.Create(provider, row.ProviderEvent, set: set, testMode: index % 2 == 0);

        var result = Mapper.Map(webhook.ToRawRecord());

        var e = Assert.IsType<NormalizedEvent>(result.Event);
        Assert.Equal(row.EventType, e.EventType);
        Assert.Equal(row.Status, e.Status);
        Assert.Equal(row.ProviderEvent, e.ProviderEventType);
        Assert.Equal(provider, e.Provider);
        Assert.Equal(webhook.Key, e.DocumentToken);
        Assert.Equal(webhook.KeySource == KeySources.Correlation ? "CORRELATION" : "DOCUMENT", e.KeySource);
        Assert.Equal(index % 2 == 0, e.Test);
        Assert.Equal(RawWebhooks.TraceParent, e.TraceParent);
        if (row.Subject is { } subject)
        {
            Assert.Equal(subject.Kind, e.Subject?.Kind);
            Assert.Equal(subject.At.Scalar(RawWebhooks.Parse(webhook.Body)), e.Subject?.Id);
        }
        else
        {
            Assert.Null(e.Subject);
        }

        foreach (var (name, value) in row.Attributes)
        {
            Assert.Equal(value, e.Attributes[name]);
        }

        // The contract takes it, written as the normalizer writes it.
        await TestRegistry.SerializeAsync(DocumentEventContract.ToEvent(e));
    }

    [Theory]
    [InlineData("inkless", "document_signing_link_sent", "LINK_SENT", "PENDING")]
    [InlineData("inkless", "otp_verified", "OTP_VERIFIED", "IN_PROGRESS")]
    [InlineData("inkless", "document_signed", "SIGNER_SIGNED", "IN_PROGRESS")]
    [InlineData("inkless", "envelope_complete", "ENVELOPE_COMPLETED", "COMPLETED")]
    [InlineData("inkless", "email_bounced", "NOTIFICATION_FAILED", "UNKNOWN")]
    [InlineData("inkless", "sms_delivered", "NOTIFICATION_DELIVERED", "UNKNOWN")]
    [InlineData("instnt", "transaction.initiated", "TRANSACTION_INITIATED", "PENDING")]
    [InlineData("instnt", "transaction.review", "TRANSACTION_REVIEW", "NEEDS_REVIEW")]
    [InlineData("instnt", "docuemnt.verification.failure", "VERIFICATION_FAILED", "REJECTED")]
    [InlineData("instnt", "document.verification.success", "VERIFICATION_SUCCEEDED", "COMPLETED")]
    [InlineData("insigner", "signer.completed", "SIGNER_SIGNED", "IN_PROGRESS")]
    [InlineData("insigner", "document.declined", "DOCUMENT_DECLINED", "REJECTED")]
    [InlineData("inscribe", "document.state_changed", "DOCUMENT_PROCESSED", "COMPLETED")]
    [InlineData("inscribe", "customer.approval_status_changed", "CUSTOMER_APPROVED", "COMPLETED")]
    [InlineData("inscribe", "collect_session.completed", "COLLECT_SESSION_COMPLETED", "IN_PROGRESS")]
    [InlineData("generic", "verification.completed", "VERIFICATION_SUCCEEDED", "COMPLETED")]
    public void Maps_to_the_design_vocabulary(string provider, string providerEvent, string eventType, string status)
    {
        var e = Mapper.Map(RawWebhooks.Create(provider, providerEvent).ToRawRecord()).Event!;
        Assert.Equal((eventType, status), (e.EventType, e.Status));
    }

    [Theory]
    [InlineData("Rejected", "CUSTOMER_REJECTED", "REJECTED")]
    [InlineData("approved", "CUSTOMER_APPROVED", "COMPLETED")]
    public void Inscribe_approval_status_matches_case_insensitively(string value, string eventType, string status)
    {
        var webhook = RawWebhooks.Create("inscribe", "customer.approval_status_changed", set: new Dictionary<string, string> { ["/approval_status"] = value });
        var e = Mapper.Map(webhook.ToRawRecord()).Event!;
        Assert.Equal((eventType, status, "CUSTOMER", webhook.Key), (e.EventType, e.Status, e.Subject!.Kind, e.Subject.Id));
    }

    [Fact]
    public void Generic_declined_result_is_rejected()
    {
        var webhook = RawWebhooks.Create("generic", "verification.completed", set: new Dictionary<string, string> { ["/data/result"] = "declined" });
        Assert.Equal("REJECTED", Mapper.Map(webhook.ToRawRecord()).Event!.Status);
    }

    [Fact]
    public void Unknown_event_type_passes_as_unknown_with_the_providers_type_kept()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "document_shredded").ToRawRecord()).Event!;
        Assert.Equal(("UNKNOWN", "UNKNOWN", "document_shredded"), (e.EventType, e.Status, e.ProviderEventType));
    }

    [Fact]
    public void Unknown_inscribe_state_is_an_unknown_event()
    {
        var webhook = RawWebhooks.Create("inscribe", "document.state_changed", set: new Dictionary<string, string> { ["/state"] = "ARCHIVED" });
        Assert.Equal("UNKNOWN", Mapper.Map(webhook.ToRawRecord()).Event!.EventType);
        Assert.Equal(DeadLetterReasons.UnknownEventType, StrictMapper.Map(webhook.ToRawRecord()).DeadLetterReason);
    }

    [Fact]
    public void Strict_setting_dead_letters_unknown_event_types()
    {
        var result = StrictMapper.Map(RawWebhooks.Create("inkless", "document_shredded").ToRawRecord());
        Assert.Null(result.Event);
        Assert.Equal(DeadLetterReasons.UnknownEventType, result.DeadLetterReason);
        Assert.Contains("document_shredded", result.DeadLetterDetail);
    }

    [Fact]
    public void Unparsable_json_is_dead_lettered()
    {
        Assert.Equal(DeadLetterReasons.UnparsableJson, Mapper.Map(RawWebhooks.Unparsable().ToRawRecord()).DeadLetterReason);
    }

    [Fact]
    public void A_json_array_body_is_dead_lettered_as_unparsable()
    {
        var webhook = RawWebhooks.Create("inkless", "document_signed") with { Body = "[1,2]"u8.ToArray() };
        Assert.Equal(DeadLetterReasons.UnparsableJson, Mapper.Map(webhook.ToRawRecord()).DeadLetterReason);
    }

    [Fact]
    public void Missing_token_is_dead_lettered()
    {
        Assert.Equal(DeadLetterReasons.MissingDocumentToken, Mapper.Map(RawWebhooks.Unkeyed().ToRawRecord()).DeadLetterReason);
    }

    [Fact]
    public void A_signed_non_json_body_without_a_key_is_dead_lettered_as_unparsable_not_as_missing_a_token()
    {
        // What the ingress publishes for a signed body it cannot read: keyed by its event id, key-source fallback.
        var webhook = RawWebhooks.Unparsable();
        var fallback = webhook with
        {
            Key = webhook.Headers[RawEventHeaders.EventId],
            KeySource = KeySources.Fallback,
            Headers = new Dictionary<string, string>(webhook.Headers) { [RawEventHeaders.KeySource] = KeySources.Fallback },
        };
        var result = Mapper.Map(fallback.ToRawRecord());
        Assert.Equal(DeadLetterReasons.UnparsableJson, result.DeadLetterReason);
        Assert.StartsWith("inkless: ", result.DeadLetterDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_without_a_provider_header_is_dead_lettered()
    {
        var webhook = RawWebhooks.Create("inkless", "document_signed");
        var headers = new Dictionary<string, string>(webhook.Headers);
        headers.Remove(RawEventHeaders.Provider);
        var result = Mapper.Map((webhook with { Headers = headers }).ToRawRecord());
        Assert.Equal(DeadLetterReasons.MissingProvider, result.DeadLetterReason);
    }

    [Theory]
    [InlineData("document.verification.success.")]
    [InlineData("document.verification.success")]
    [InlineData(" Document.Verification.Success. ")]
    public void Instnt_success_event_matches_as_its_doc_spells_it(string providerEvent)
    {
        var e = StrictMapper.Map(RawWebhooks.Create("instnt", providerEvent).ToRawRecord()).Event!;
        Assert.Equal(("VERIFICATION_SUCCEEDED", "COMPLETED", providerEvent), (e.EventType, e.Status, e.ProviderEventType));
    }

    [Theory]
    [InlineData("docuemnt.verification.failure")]
    [InlineData("document.verification.failure.")]
    public void Instnt_failure_event_matches_with_the_docs_typo_and_without(string providerEvent)
    {
        var e = StrictMapper.Map(RawWebhooks.Create("instnt", providerEvent).ToRawRecord()).Event!;
        Assert.Equal(("VERIFICATION_FAILED", "REJECTED"), (e.EventType, e.Status));
    }

    [Fact]
    public void Tolerant_matching_does_not_turn_a_different_event_into_a_known_one()
    {
        Assert.Equal(DeadLetterReasons.UnknownEventType, StrictMapper.Map(RawWebhooks.Create("instnt", "document.verification.successful").ToRawRecord()).DeadLetterReason);
    }

    [Fact]
    public void A_provider_retry_gets_the_same_event_id()
    {
        var first = RawWebhooks.Create("insigner", "signer.completed", eventId: "dlv_1", token: "doc_1");
        var retry = RawWebhooks.Create("insigner", "signer.completed", eventId: "dlv_1", token: "doc_1", at: DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(Mapper.Map(first.ToRawRecord()).Event!.EventId, Mapper.Map(retry.ToRawRecord()).Event!.EventId);
        var other = RawWebhooks.Create("insigner", "signer.completed", eventId: "dlv_2", token: "doc_1");
        Assert.NotEqual(Mapper.Map(first.ToRawRecord()).Event!.EventId, Mapper.Map(other.ToRawRecord()).Event!.EventId);
    }

    [Fact]
    public void Inkless_signatures_dedupe_per_signer_not_per_document()
    {
        var at = DateTimeOffset.UtcNow;
        var signerA = RawWebhooks.Create("inkless", "document_signed", token: "doc_x", at: at);
        var signerARestamped = RawWebhooks.Create("inkless", "document_signed", token: "doc_x", at: at.AddSeconds(30));
        var signerB = RawWebhooks.Create("inkless", "document_signed", token: "doc_x", at: at, set: new Dictionary<string, string> { ["/secure_link_id"] = "272" });

        var a = Mapper.Map(signerA.ToRawRecord()).Event!.EventId;
        Assert.Equal(a, Mapper.Map(signerARestamped.ToRawRecord()).Event!.EventId);
        Assert.NotEqual(a, Mapper.Map(signerB.ToRawRecord()).Event!.EventId);
    }

    [Fact]
    public void Inkless_repeatable_events_dedupe_only_identical_deliveries()
    {
        var at = DateTimeOffset.UtcNow;
        var opened = RawWebhooks.Create("inkless", "email_opened", token: "doc_y", at: at);
        var sameDelivery = RawWebhooks.Create("inkless", "email_opened", token: "doc_y", at: at);
        var openedAgain = RawWebhooks.Create("inkless", "email_opened", token: "doc_y", at: at.AddMinutes(5));
        var id = Mapper.Map(opened.ToRawRecord()).Event!.EventId;
        Assert.Equal(id, Mapper.Map(sameDelivery.ToRawRecord()).Event!.EventId);
        Assert.NotEqual(id, Mapper.Map(openedAgain.ToRawRecord()).Event!.EventId);
    }

    [Fact]
    public void Occurred_at_comes_from_the_provider_and_lineage_from_the_record()
    {
        var at = new DateTimeOffset(2026, 3, 11, 23, 25, 31, TimeSpan.Zero);
        var webhook = RawWebhooks.Create("instnt", "document.submitted", at: at);
        var e = Mapper.Map(webhook.ToRawRecord("raw", 2, 41)).Event!;
        Assert.Equal(at, e.OccurredAt);
        Assert.Equal(new RawRecordRef("raw", 2, 41, webhook.EventId), e.Source);
    }

    [Fact]
    public void A_table_with_a_symbol_the_contract_lacks_fails_to_load_with_its_line()
    {
        const string markdown = """
            # X

            ## Events

            | provider event | common event type | status |
            |---|---|---|
            | a | LINK_SENT | PENDING |
            | b | TELEPORTED | PENDING |
            """;
        var error = Assert.Throws<FormatException>(() => MappingTableParser.Parse("x", markdown, MappingVocabulary.FromContract()));
        Assert.Contains("x.md line 8", error.Message);
        Assert.Contains("TELEPORTED", error.Message);
    }
}
