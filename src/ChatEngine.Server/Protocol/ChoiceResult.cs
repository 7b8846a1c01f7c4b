using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Generation;

namespace ChatEngine.Server.Protocol;

/// <summary>One finished choice of a non-streamed completion: its text (with the echoed prompt when asked), why it
/// ended, its tokens' log-probabilities when requested, and its text split into content, reasoning and tool calls when
/// the request's tools are parsed.</summary>
internal sealed record ChoiceResult(int Index, string Text, FinishReason Finish, IReadOnlyList<LoggedToken>? LogProbabilities, ParsedMessage? Message = null);

/// <summary>A token reported in <c>logprobs</c>: its log-probabilities (null for the first prompt token, which has no
/// context) and where its text starts in the choice's text.</summary>
internal readonly record struct LoggedToken(int Id, TokenLogProbabilities? LogProbabilities, int TextOffset);
