namespace ChatEngine.Runtime.Constraints;

/// <summary>A JSON schema that is invalid or uses something constrained decoding does not support;
/// <see cref="Path"/> is a JSON pointer to the offending part (e.g. <c>#/properties/age/minimum</c>).</summary>
public sealed class JsonSchemaException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
