using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Avro;

namespace Streaming.SchemaRegistry.Server;

/// <summary>
/// The registry's rules on top of an <see cref="ISchemaStore"/>, with Confluent's semantics: global ids shared
/// across subjects, per-subject versions, compatibility checks on register, soft deletes. Only AVRO schemas.
/// </summary>
public sealed partial class SchemaRegistryService : IDisposable
{
    private readonly ISchemaStore _store;
    private readonly CompatibilityLevel _defaultLevel;
    private readonly ILogger<SchemaRegistryService> _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<int, Schema> _parsedById = new();

    public SchemaRegistryService(ISchemaStore store, IOptions<SchemaRegistryServerOptions> options, ILogger<SchemaRegistryService> logger)
    {
        _store = store;
        _defaultLevel = options.Value.DefaultCompatibility;
        _logger = logger;
    }

    public Task<IReadOnlyList<string>> GetSubjectsAsync(bool includeDeleted, CancellationToken cancellationToken) =>
        _store.GetSubjectsAsync(includeDeleted, cancellationToken);

    public async Task<IReadOnlyList<int>> GetVersionsAsync(string subject, bool includeDeleted, CancellationToken cancellationToken)
    {
        var versions = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted);
        return versions.Count == 0
            ? throw SchemaRegistryException.SubjectNotFound(subject)
            : versions.Select(v => v.Version).ToList();
    }

    public async Task<RegisteredSchema> GetVersionAsync(string subject, string version, bool includeDeleted, CancellationToken cancellationToken)
    {
        var found = await FindVersionAsync(subject, version, includeDeleted, cancellationToken);
        var stored = await GetSchemaAsync(found.SchemaId, cancellationToken);
        return ToRegistered(found, stored);
    }

    public async Task<StoredSchema> GetSchemaAsync(int id, CancellationToken cancellationToken) =>
        await _store.GetSchemaAsync(id, cancellationToken) ?? throw SchemaRegistryException.SchemaNotFound($"with id {id}");

    /// <summary>
    /// Registers a schema under a subject: the existing id if an equal schema is a live version of the subject,
    /// else a new version (with the schema's global id, shared across subjects) if it passes the subject's
    /// compatibility level, else 409.
    /// </summary>
    public async Task<int> RegisterAsync(string subject, string? schemaJson, string? schemaType, bool hasReferences, CancellationToken cancellationToken)
    {
        var candidate = ParseCandidate(schemaJson, schemaType, hasReferences);
        var normalized = Normalize(candidate);

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var live = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted: false);
            var existing = new List<Schema>(live.Count);
            for (var i = live.Count - 1; i >= 0; i--)
            {
                var schema = await GetParsedAsync(live[i].SchemaId, cancellationToken);
                if (Normalize(schema) == normalized)
                {
                    return live[i].SchemaId;
                }

                existing.Add(schema);
            }

            var level = await GetEffectiveLevelAsync(subject, cancellationToken);
            var result = SchemaCompatibility.Check(candidate, existing, level);
            if (!result.IsCompatible)
            {
                LogRejected(subject, level);
                throw new SchemaRegistryException(HttpStatusCode.Conflict, SchemaRegistryErrorCodes.IncompatibleSchema,
                    $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" " +
                    $"(compatibility {CompatibilityLevelNames.ToName(level)}), details: [{string.Join("; ", result.Messages)}]");
            }

            var added = await _store.AddVersionAsync(subject, normalized, normalized, cancellationToken);
            _parsedById.TryAdd(added.SchemaId, candidate);
            LogRegistered(subject, added.Version, added.SchemaId);
            return added.SchemaId;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The live version of a subject holding an equal schema: 40401 without the subject, 40403 without the schema.</summary>
    public async Task<RegisteredSchema> LookupAsync(
        string subject, string? schemaJson, string? schemaType, bool hasReferences, bool includeDeleted, CancellationToken cancellationToken)
    {
        var normalized = Normalize(ParseCandidate(schemaJson, schemaType, hasReferences));
        var versions = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted);
        if (versions.Count == 0)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        for (var i = versions.Count - 1; i >= 0; i--)
        {
            if (Normalize(await GetParsedAsync(versions[i].SchemaId, cancellationToken)) == normalized)
            {
                return ToRegistered(versions[i], await GetSchemaAsync(versions[i].SchemaId, cancellationToken));
            }
        }

        throw SchemaRegistryException.SchemaNotFound($"not found under subject '{subject}'");
    }

    /// <summary>
    /// Soft-deletes every live version of a subject and returns their numbers. Ids stay resolvable.
    /// Hard deletion is not implemented: <paramref name="permanent"/> on a soft-deleted subject is accepted and keeps the data.
    /// </summary>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var all = await _store.GetVersionsAsync(subject, cancellationToken);
            if (all.Count == 0)
            {
                throw SchemaRegistryException.SubjectNotFound(subject);
            }

            var live = all.Where(v => !v.Deleted).Select(v => v.Version).ToList();
            if (live.Count == 0)
            {
                return permanent
                    ? all.Select(v => v.Version).ToList()
                    : throw new SchemaRegistryException(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectSoftDeleted,
                        $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently");
            }

            await _store.SoftDeleteAsync(subject, live, cancellationToken);
            LogSubjectDeleted(subject, live.Count);
            return live;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Soft-deletes one version (a number or <c>latest</c>) and returns its number.</summary>
    public async Task<int> DeleteVersionAsync(string subject, string version, bool permanent, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var found = await FindVersionAsync(subject, version, includeDeleted: true, cancellationToken);
            if (found.Deleted)
            {
                return permanent
                    ? found.Version
                    : throw new SchemaRegistryException(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaVersionSoftDeleted,
                        $"Version {found.Version} of subject '{subject}' was soft deleted. Set permanent=true to delete permanently");
            }

            await _store.SoftDeleteAsync(subject, [found.Version], cancellationToken);
            return found.Version;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Tests a schema under the subject's level against one version (a number or <c>latest</c>), or, with a null
    /// <paramref name="version"/>, against every live version as register would.
    /// </summary>
    public async Task<CompatibilityResult> TestCompatibilityAsync(
        string subject, string? version, string? schemaJson, string? schemaType, bool hasReferences, CancellationToken cancellationToken)
    {
        var candidate = ParseCandidate(schemaJson, schemaType, hasReferences);
        var existing = new List<Schema>();
        if (version is null)
        {
            var live = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted: false);
            for (var i = live.Count - 1; i >= 0; i--)
            {
                existing.Add(await GetParsedAsync(live[i].SchemaId, cancellationToken));
            }
        }
        else if (IsLatest(version))
        {
            // Like Confluent: nothing registered yet is nothing to be incompatible with.
            var live = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted: false);
            if (live.Count > 0)
            {
                existing.Add(await GetParsedAsync(live[^1].SchemaId, cancellationToken));
            }
        }
        else
        {
            var found = await FindVersionAsync(subject, version, includeDeleted: false, cancellationToken);
            existing.Add(await GetParsedAsync(found.SchemaId, cancellationToken));
        }

        var level = await GetEffectiveLevelAsync(subject, cancellationToken);
        return SchemaCompatibility.Check(candidate, existing, level);
    }

    /// <summary>The global level (subject null), or a subject's own level: 40408 if it has none and not <paramref name="defaultToGlobal"/>.</summary>
    public async Task<CompatibilityLevel> GetCompatibilityAsync(string? subject, bool defaultToGlobal, CancellationToken cancellationToken)
    {
        if (subject is null)
        {
            return await _store.GetCompatibilityAsync(null, cancellationToken) ?? _defaultLevel;
        }

        var own = await _store.GetCompatibilityAsync(subject, cancellationToken);
        return own
            ?? (defaultToGlobal
                ? await GetCompatibilityAsync(null, false, cancellationToken)
                : throw new SchemaRegistryException(HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectCompatibilityNotConfigured,
                    $"Subject '{subject}' does not have subject-level compatibility configured"));
    }

    /// <summary>Sets the global level (subject null) or a subject's; 42203 for an unknown level name.</summary>
    public async Task<CompatibilityLevel> SetCompatibilityAsync(string? subject, string? levelName, CancellationToken cancellationToken)
    {
        if (!CompatibilityLevelNames.TryParse(levelName, out var level))
        {
            throw new SchemaRegistryException(HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidCompatibilityLevel,
                $"Invalid compatibility level '{levelName}'. Valid values are none, backward, forward, full, " +
                "backward_transitive, forward_transitive, and full_transitive");
        }

        await _store.SetCompatibilityAsync(subject, level, cancellationToken);
        LogCompatibilitySet(subject ?? "(global)", level.Value);
        return level.Value;
    }

    /// <summary>Removes the global level (back to the default) or a subject's own level; returns the level removed.</summary>
    public async Task<CompatibilityLevel> DeleteCompatibilityAsync(string? subject, CancellationToken cancellationToken)
    {
        var previous = await GetCompatibilityAsync(subject, defaultToGlobal: false, cancellationToken);
        await _store.SetCompatibilityAsync(subject, null, cancellationToken);
        return previous;
    }

    public void Dispose() => _writeGate.Dispose();

    private async Task<CompatibilityLevel> GetEffectiveLevelAsync(string subject, CancellationToken cancellationToken) =>
        await GetCompatibilityAsync(subject, defaultToGlobal: true, cancellationToken);

    private async Task<SubjectVersion> FindVersionAsync(string subject, string version, bool includeDeleted, CancellationToken cancellationToken)
    {
        var wanted = ParseVersion(version);
        var versions = Visible(await _store.GetVersionsAsync(subject, cancellationToken), includeDeleted);
        if (versions.Count == 0)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        if (wanted is null)
        {
            return versions[^1];
        }

        return versions.FirstOrDefault(v => v.Version == wanted)
            ?? throw SchemaRegistryException.VersionNotFound(subject, wanted.Value);
    }

    private async Task<Schema> GetParsedAsync(int id, CancellationToken cancellationToken)
    {
        if (_parsedById.TryGetValue(id, out var parsed))
        {
            return parsed;
        }

        var stored = await GetSchemaAsync(id, cancellationToken);
        return _parsedById.GetOrAdd(id, Schema.Parse(stored.Schema));
    }

    private static List<SubjectVersion> Visible(IReadOnlyList<SubjectVersion> versions, bool includeDeleted) =>
        versions.Where(v => includeDeleted || !v.Deleted).ToList();

    private static RegisteredSchema ToRegistered(SubjectVersion version, StoredSchema schema) =>
        new(version.Subject, schema.Id, version.Version, schema.Schema)
        {
            // Confluent leaves schemaType out for AVRO; clients default it.
            SchemaType = schema.SchemaType == "AVRO" ? null : schema.SchemaType,
        };

    private static bool IsLatest(string version) => version is "latest" or "-1";

    /// <summary>null for latest; 42202 for anything that is not a version number.</summary>
    internal static int? ParseVersion(string version)
    {
        if (IsLatest(version))
        {
            return null;
        }

        return int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1
            ? number
            : throw SchemaRegistryException.InvalidVersion(version);
    }

    private static Schema ParseCandidate(string? schemaJson, string? schemaType, bool hasReferences)
    {
        if (schemaType is not null && !string.Equals(schemaType, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw SchemaRegistryException.InvalidSchema($"schema type {schemaType} is not supported; this registry supports AVRO only.");
        }

        if (hasReferences)
        {
            throw SchemaRegistryException.InvalidSchema("schema references are not supported by this registry.");
        }

        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            throw SchemaRegistryException.InvalidSchema("the request has no schema.");
        }

        // Apache.Avro reports some malformed schemas with exceptions of its own and others with whatever the
        // JSON walk hit (e.g. an unknown type name); parsing has no side effects, so every failure means "invalid schema".
        Schema? parsed;
        try
        {
            parsed = Schema.Parse(schemaJson);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw SchemaRegistryException.InvalidSchema(e.Message);
        }

        // Apache.Avro answers null, not an error, for an object whose "type" names no known type.
        return parsed ?? throw SchemaRegistryException.InvalidSchema("the schema's type is neither a primitive, a complex type nor a defined name.");
    }

    /// <summary>
    /// The form schemas are stored and compared in: Apache.Avro's full JSON of the parsed schema, so the same schema
    /// sent with other whitespace or key order (a curl of the .avsc, Confluent's serializer) gets the same id.
    /// Not Avro's Parsing Canonical Form: that drops defaults, logical types, docs and aliases, so
    /// "v1 plus a default" would wrongly get v1's id.
    /// </summary>
    internal static string Normalize(Schema schema) => schema.ToString();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registered subject {Subject} version {Version} as schema id {SchemaId}")]
    private partial void LogRegistered(string subject, int version, int schemaId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Rejected an incompatible schema for subject {Subject} under {Level}")]
    private partial void LogRejected(string subject, CompatibilityLevel level);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Soft-deleted {Count} version(s) of subject {Subject}")]
    private partial void LogSubjectDeleted(string subject, int count);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Compatibility of {Subject} set to {Level}")]
    private partial void LogCompatibilitySet(string subject, CompatibilityLevel level);
}
