using System.Text;
using System.Text.Json;

namespace ChatEngine.Runtime.Constraints;

/// <summary>A call the output may be: <paramref name="Opening"/> (the text naming the function), arguments valid
/// against <paramref name="ArgumentsSchema"/> (null: any object), <paramref name="Closing"/>.</summary>
public sealed record CallShape(string Opening, JsonElement? ArgumentsSchema, string Closing);

/// <summary>A reasoning block a forced call may come after: free text between <paramref name="Start"/> and
/// <paramref name="End"/>; <paramref name="StartsOpen"/> when the prompt already opened it.</summary>
public sealed record ReasoningBlock(string Start, string End, bool StartsOpen);

/// <summary>
/// The documents constrained decoding may produce: compact JSON (no whitespace between tokens) that is
/// <see cref="AnyObject"/> or valid against a JSON schema (<see cref="FromSchema"/>, the subset described in
/// <see cref="JsonSchemaCompiler"/>), or a tool call in a chat family's own syntax (<see cref="ForCall"/>).
/// Immutable and shareable between sequences.
/// </summary>
public sealed class JsonGrammar
{
    private JsonGrammar(ValueRule root, byte[]? trigger = null)
    {
        Root = root;
        Trigger = trigger;
    }

    /// <summary>Any JSON object (OpenAI's <c>response_format: {type: json_object}</c>).</summary>
    public static JsonGrammar AnyObject { get; } = new(UnionRule.AnyObject);

    /// <summary>Any JSON value.</summary>
    public static JsonGrammar AnyValue { get; } = new(UnionRule.Any);

    internal ValueRule Root { get; }

    /// <summary>Set for a lazy grammar (<see cref="LazyCall"/>): the output is free until these bytes appear, a
    /// document from their first byte on, then free again.</summary>
    internal byte[]? Trigger { get; }

    /// <summary>Compiles <paramref name="schema"/>; throws <see cref="JsonSchemaException"/> naming the unsupported part.</summary>
    public static JsonGrammar FromSchema(JsonElement schema) => new(JsonSchemaCompiler.Compile(schema));

    /// <summary>
    /// Exactly one of <paramref name="calls"/>, its arguments compact JSON valid against its schema, optionally after
    /// one <paramref name="reasoning"/> block; throws <see cref="JsonSchemaException"/> for a schema it cannot enforce.
    /// </summary>
    public static JsonGrammar ForCall(IReadOnlyList<CallShape> calls, ReasoningBlock? reasoning)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var compiled = new List<(byte[], ValueRule, byte[])>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var arguments = calls[i].ArgumentsSchema is { } schema ? JsonSchemaCompiler.Compile(schema) : UnionRule.AnyObject;
            compiled.Add((Encoding.UTF8.GetBytes(calls[i].Opening), arguments, Encoding.UTF8.GetBytes(calls[i].Closing)));
        }
        var block = reasoning is null ? ((byte[], byte[])?)null : (Encoding.UTF8.GetBytes(reasoning.Start), Encoding.UTF8.GetBytes(reasoning.End));
        return new(new CallRule(compiled, block, reasoning?.StartsOpen ?? false));
    }

    /// <summary>
    /// Free text in which each call, once <paramref name="trigger"/> appears, must be completed as one of
    /// <paramref name="calls"/> (whose openings begin with it) with valid arguments; llama.cpp calls this a lazy grammar.
    /// </summary>
    public static JsonGrammar LazyCall(IReadOnlyList<CallShape> calls, string trigger)
    {
        ArgumentException.ThrowIfNullOrEmpty(trigger);
        if (calls.FirstOrDefault(c => !c.Opening.StartsWith(trigger, StringComparison.Ordinal)) is { } other)
            throw new ArgumentException($"the opening '{other.Opening}' does not begin with the trigger '{trigger}'", nameof(calls));
        return new(ForCall(calls, null).Root, Encoding.UTF8.GetBytes(trigger));
    }

    /// <summary>Whether <paramref name="utf8"/> is a complete document of this grammar.</summary>
    public bool Matches(ReadOnlySpan<byte> utf8) => JsonCursor.Start(this).TryAdvance(utf8, out var end) && end.IsAccepting;
}
