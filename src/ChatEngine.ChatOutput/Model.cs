using System.Text.Json;

namespace ChatEngine.ChatOutput;

/// <summary>A chat-template family: how its models write tool calls and reasoning in their output.</summary>
public enum ChatFamily
{
    /// <summary>Unknown template: the whole output may be a JSON object <c>{"tool_call": {...}}</c> or <c>{"tool_calls": [...]}</c>.</summary>
    Generic,
    Hermes,
    Qwen3CoderXml,
    Llama3,
    MistralNemo,
    Mistral,
    GptOss,
    DeepSeekR1,
    DeepSeekV31,
    DeepSeekV32,
    DeepSeekV4,
    Gemma4,
    Glm,
    Kimi,
    CommandR7B,
    CommandRPlus,
    MiniMax,
    SeedOss,
    NemotronNanoV2,
    Apriel,
    Apertus,
    Lfm2,
    GigaChat3,
    GigaChat31,
    Granite33,
    SolarOpen,
    Hy3,
    FunctionaryV31,
    FunctionaryV32,
    Firefunction,
}

/// <summary>llama-server's <c>reasoning_format</c>: <c>none</c> leaves reasoning in the content; <c>auto</c> and <c>deepseek</c> split it out.</summary>
public enum ReasoningFormat
{
    None,
    Auto,
    DeepSeek,
}

/// <summary>A parsed tool call; <see cref="Arguments"/> is a JSON object as text, the form OpenAI sends.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments);

/// <summary>
/// A model's output split into content, reasoning and tool calls. <see cref="EndedMidCall"/>: the text ended inside a
/// tool call (a length cut); that call is not reported and its raw text is part of <see cref="Content"/>.
/// </summary>
public sealed record ParsedMessage(string Content, string Reasoning, IReadOnlyList<ToolCall> ToolCalls, bool EndedMidCall);

/// <summary>
/// One streamed piece, shaped like an OpenAI chat-completion chunk delta: at most one of content, reasoning or a tool call.
/// </summary>
public sealed record ChatOutputDelta(string? Content, string? Reasoning, ToolCallDelta? ToolCall);

/// <summary>
/// A <c>delta.tool_calls[i]</c> entry: the first one for a call carries <see cref="Id"/>, <see cref="Type"/> ("function")
/// and <see cref="Name"/> with empty arguments; later ones carry only <see cref="Index"/> and an arguments fragment.
/// </summary>
public sealed record ToolCallDelta(int Index, string? Id, string? Type, string? Name, string? Arguments);

/// <summary>
/// The end of a stream: the held-back text as last deltas, whether the output ended inside a call, the stream indexes of
/// calls whose header was already streamed but that are not calls after all (cut off or malformed: their raw text is
/// content), and the whole message as <see cref="ChatOutputParser.Parse"/> gives it.
/// </summary>
public sealed record StreamFinish(IReadOnlyList<ChatOutputDelta> Deltas, bool EndedMidCall, IReadOnlyList<int> WithdrawnCallIndexes, ParsedMessage Message);

/// <summary>
/// What a constrained generator emits to force a call: <see cref="Prefix"/>, then arguments valid for the function's JSON
/// schema, then <see cref="Suffix"/>.
/// </summary>
public sealed record ForcedCallSyntax(string Prefix, string Suffix);

/// <summary>Parser settings. <see cref="ReasoningStartsOpen"/>: the prompt ended inside a reasoning block (e.g. <c>&lt;think&gt;\n</c>).</summary>
public sealed record ChatOutputOptions
{
    public ReasoningFormat ReasoningFormat { get; init; } = ReasoningFormat.Auto;
    public bool ReasoningStartsOpen { get; init; }
    /// <summary>
    /// The request's OpenAI <c>tools</c> array, optional: where a family writes parameters as text (the XML-parameter
    /// families), a parameter the schema types as string stays a string even when it reads as JSON ("007", "true").
    /// </summary>
    public JsonElement? Tools
    {
        get => _tools;
        init
        {
            _tools = value;
            StringParameters = ToolSchemas.StringParameters(value);
        }
    }

    private readonly JsonElement? _tools;

    internal IReadOnlySet<(string Function, string Parameter)> StringParameters { get; private init; } = new HashSet<(string, string)>();

    /// <summary>Makes the id of the n-th call (0-based) when the model writes none; random OpenAI-style ids by default.</summary>
    public Func<int, string> NewCallId { get; init; } = _ => "call_" + Guid.NewGuid().ToString("N")[..24];
}
