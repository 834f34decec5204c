namespace Streaming.Avro;

/// <summary>Base of every error this library raises about schemas or data.</summary>
public class AvroException : Exception
{
    public AvroException() { }

    public AvroException(string message) : base(message) { }

    public AvroException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A schema document is not a valid Avro schema.</summary>
public class AvroSchemaException : AvroException
{
    public AvroSchemaException() { }

    public AvroSchemaException(string message) : base(message) { }

    public AvroSchemaException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Data written with one schema cannot be read with another (schema resolution failed).</summary>
public class AvroResolutionException : AvroException
{
    public AvroResolutionException() { }

    public AvroResolutionException(string message) : base(message) { }

    public AvroResolutionException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A .NET value does not fit the schema it is being serialized with.</summary>
public class AvroTypeException : AvroException
{
    public AvroTypeException() { }

    public AvroTypeException(string message) : base(message) { }

    public AvroTypeException(string message, Exception innerException) : base(message, innerException) { }
}
