namespace Streaming.SchemaRegistry;

/// <summary>Confluent Schema Registry's compatibility levels: which existing schemas a new one is checked against, in which direction.</summary>
public enum CompatibilityLevel
{
    /// <summary>No check.</summary>
    None,

    /// <summary>The new schema can read data written with the newest existing one.</summary>
    Backward,

    /// <summary>The new schema can read data written with every existing one.</summary>
    BackwardTransitive,

    /// <summary>The newest existing schema can read data written with the new one.</summary>
    Forward,

    /// <summary>Every existing schema can read data written with the new one.</summary>
    ForwardTransitive,

    /// <summary>Backward and forward against the newest existing schema.</summary>
    Full,

    /// <summary>Backward and forward against every existing schema.</summary>
    FullTransitive,
}
