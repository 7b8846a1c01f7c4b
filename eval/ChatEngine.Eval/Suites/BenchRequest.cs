using System.Text.Json.Nodes;

namespace ChatEngine.Eval.Suites;

/// <summary>
/// One line of a suite: the chat messages, the completion budget, optional sampling settings and an optional check
/// of the answer. <see cref="FixedOutputTokens"/> asks the server for exactly that many tokens (see <see cref="Extra"/>).
/// </summary>
public sealed record BenchRequest
{
    public required string Id { get; init; }
    public required JsonArray Messages { get; init; }
    public required int MaxTokens { get; init; }
    public double? Temperature { get; init; }

    /// <summary>When set, the request must produce exactly this many tokens: <see cref="MaxTokens"/> equals it and
    /// the body carries <c>ignore_eos</c> and <c>min_tokens</c> (vLLM, llama.cpp; other servers ignore them).</summary>
    public int? FixedOutputTokens { get; init; }

    /// <summary>Extra body fields sent as they are (server-specific knobs).</summary>
    public JsonObject? Extra { get; init; }

    public QualityCheck? Check { get; init; }
}
