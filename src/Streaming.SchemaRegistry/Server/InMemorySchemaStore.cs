
namespace Streaming.SchemaRegistry.Server;

/// <summary>A process-local store, for tests and throwaway registries: everything is lost on restart.</summary>
public sealed class InMemorySchemaStore : ISchemaStore
{
    private readonly Lock _gate = new();
    private readonly List<StoredSchema> _schemas = [];
    private readonly Dictionary<string, int> _idsByNormalized = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<SubjectVersion>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompatibilityLevel> _config = new(StringComparer.Ordinal);
    private CompatibilityLevel? _globalConfig;

    public Task<StoredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(id >= 1 && id <= _schemas.Count ? _schemas[id - 1] : null);
        }
    }

    public Task<IReadOnlyList<string>> GetSubjectsAsync(bool includeDeleted, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<string> subjects = _subjects
                .Where(s => includeDeleted || s.Value.Exists(v => !v.Deleted))
                .Select(s => s.Key)
                .ToList();
            return Task.FromResult(subjects);
        }
    }

    public Task<IReadOnlyList<SubjectVersion>> GetVersionsAsync(string subject, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<SubjectVersion> versions = _subjects.TryGetValue(subject, out var list) ? list.ToList() : [];
            return Task.FromResult(versions);
        }
    }

    public Task<SubjectVersion> AddVersionAsync(string subject, string schema, string normalizedSchema, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_idsByNormalized.TryGetValue(normalizedSchema, out var id))
            {
                id = _schemas.Count + 1;
                _schemas.Add(new StoredSchema(id, schema, "AVRO"));
                _idsByNormalized.Add(normalizedSchema, id);
            }

            if (!_subjects.TryGetValue(subject, out var versions))
            {
                versions = [];
                _subjects.Add(subject, versions);
            }

            var added = new SubjectVersion(subject, versions.Count == 0 ? 1 : versions[^1].Version + 1, id, Deleted: false);
            versions.Add(added);
            return Task.FromResult(added);
        }
    }

    public Task SoftDeleteAsync(string subject, IReadOnlyCollection<int> versions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_subjects.TryGetValue(subject, out var list))
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (versions.Contains(list[i].Version))
                    {
                        list[i] = list[i] with { Deleted = true };
                    }
                }
            }

            return Task.CompletedTask;
        }
    }

    public Task<CompatibilityLevel?> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(subject is null
                ? _globalConfig
                : _config.TryGetValue(subject, out var level) ? level : (CompatibilityLevel?)null);
        }
    }

    public Task SetCompatibilityAsync(string? subject, CompatibilityLevel? level, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                _globalConfig = level;
            }
            else if (level is { } set)
            {
                _config[subject] = set;
            }
            else
            {
                _config.Remove(subject);
            }

            return Task.CompletedTask;
        }
    }
}
