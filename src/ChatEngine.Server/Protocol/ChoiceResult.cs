using ChatEngine.Runtime.Generation;

namespace ChatEngine.Server.Protocol;

/// <summary>One finished choice of a non-streamed completion: its text (with the echoed prompt when asked), why it
/// ended, and its tokens' log-probabilities when requested.</summary>
internal sealed record ChoiceResult(int Index, string Text, FinishReason Finish, IReadOnlyList<LoggedToken>? LogProbabilities);

/// <summary>A token reported in <c>logprobs</c>: its log-probabilities (null for the first prompt token, which has no
/// context) and where its text starts in the choice's text.</summary>
internal readonly record struct LoggedToken(int Id, TokenLogProbabilities? LogProbabilities, int TextOffset);
