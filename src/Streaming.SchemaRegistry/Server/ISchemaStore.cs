
namespace Streaming.SchemaRegistry.Server;

/// <summary>A schema known to the registry under a global id; ids are never reused or renumbered.</summary>
public sealed record StoredSchema(int Id, string Schema, string SchemaType);

/// <summary>One version of a subject; soft-deleted versions keep their number and schema id.</summary>
public sealed record SubjectVersion(string Subject, int Version, int SchemaId, bool Deleted);

/// <summary>
/// Persistence of the registry. Rules (compatibility, soft-delete semantics) live in
/// <see cref="SchemaRegistryService"/>, which serializes writes; a store only keeps the facts.
/// </summary>
public interface ISchemaStore
{
    /// <summary>The schema with a global id, or null.</summary>
    Task<StoredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken);

    /// <summary>Subjects in name order; without <paramref name="includeDeleted"/> only those with a live version.</summary>
    Task<IReadOnlyList<string>> GetSubjectsAsync(bool includeDeleted, CancellationToken cancellationToken);

    /// <summary>All versions of a subject, soft-deleted ones included, in version order; empty if unknown.</summary>
    Task<IReadOnlyList<SubjectVersion>> GetVersionsAsync(string subject, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a version to a subject, atomically: the schema gets the id already held by the same
    /// <paramref name="normalizedSchema"/> (under any subject) or the next id; the version is one more than
    /// the subject's highest, deleted ones included.
    /// </summary>
    Task<SubjectVersion> AddVersionAsync(string subject, string schema, string normalizedSchema, CancellationToken cancellationToken);

    /// <summary>Marks versions of a subject soft-deleted.</summary>
    Task SoftDeleteAsync(string subject, IReadOnlyCollection<int> versions, CancellationToken cancellationToken);

    /// <summary>The compatibility level set for a subject (or globally, for null), or null if none is set.</summary>
    Task<CompatibilityLevel?> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken);

    /// <summary>Sets (or with null clears) the compatibility level of a subject, or globally for a null subject.</summary>
    Task SetCompatibilityAsync(string? subject, CompatibilityLevel? level, CancellationToken cancellationToken);
}
