namespace Streaming.SchemaRegistry.Server;

/// <summary>
/// The registry's global mode, as Confluent's <c>GET/PUT /mode</c> serve it: READWRITE, or READONLY (writes refused,
/// so the services that only look schemas up cannot change what the registry holds). Kept in memory: a restart
/// returns to <see cref="SchemaRegistryServerOptions.ReadOnly"/>.
/// </summary>
public sealed class RegistryMode(Microsoft.Extensions.Options.IOptions<SchemaRegistryServerOptions> options)
{
    public const string ReadWrite = "READWRITE";
    public const string ReadOnlyMode = "READONLY";

    private volatile bool _readOnly = options.Value.ReadOnly;

    public bool IsReadOnly => _readOnly;

    public string Name => _readOnly ? ReadOnlyMode : ReadWrite;

    /// <summary>Sets the mode from its name (READWRITE or READONLY, any case).</summary>
    /// <exception cref="SchemaRegistryException">42204: another name (IMPORT is not supported).</exception>
    public string Set(string? name)
    {
        _readOnly = name?.ToUpperInvariant() switch
        {
            ReadWrite => false,
            ReadOnlyMode => true,
            _ => throw new SchemaRegistryException(
                System.Net.HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidMode,
                $"Invalid mode '{name}': this registry supports READWRITE and READONLY"),
        };
        return Name;
    }
}
