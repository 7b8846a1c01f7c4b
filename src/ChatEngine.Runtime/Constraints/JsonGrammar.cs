using System.Text.Json;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// The documents constrained decoding may produce: compact JSON (no whitespace between tokens) that is
/// <see cref="AnyObject"/> or valid against a JSON schema (<see cref="FromSchema"/>, the subset described in
/// <see cref="JsonSchemaCompiler"/>). Immutable and shareable between sequences.
/// </summary>
public sealed class JsonGrammar
{
    private JsonGrammar(ValueRule root) => Root = root;

    /// <summary>Any JSON object (OpenAI's <c>response_format: {type: json_object}</c>).</summary>
    public static JsonGrammar AnyObject { get; } = new(UnionRule.AnyObject);

    /// <summary>Any JSON value.</summary>
    public static JsonGrammar AnyValue { get; } = new(UnionRule.Any);

    internal ValueRule Root { get; }

    /// <summary>Compiles <paramref name="schema"/>; throws <see cref="JsonSchemaException"/> naming the unsupported part.</summary>
    public static JsonGrammar FromSchema(JsonElement schema) => new(JsonSchemaCompiler.Compile(schema));

    /// <summary>Whether <paramref name="utf8"/> is a complete document of this grammar.</summary>
    public bool Matches(ReadOnlySpan<byte> utf8) => JsonCursor.Start(this).TryAdvance(utf8, out var end) && end.IsAccepting;
}
