namespace ChatEngine.Server.Chat;

/// <summary>
/// One item of a chat stream: a piece of answer <see cref="Text"/> (one or more tokens, never split inside a UTF-8
/// character), a piece of the answer's <see cref="Reasoning"/> (a thinking model's template: its reasoning block is
/// split off as the HTTP API's reasoning_content, never part of the text), and, on the last item only, the
/// <see cref="Summary"/>.
/// </summary>
public sealed record ChatChunk(string Text, ChatSummary? Summary = null, string? Reasoning = null);

/// <summary>How the answer ended (<c>stop</c>, <c>length</c>, or <c>shutdown</c> when the server's shutdown deadline
/// ended it), what it cost and how fast it came. <see cref="ContextFull"/>: the <c>length</c> was the context's end,
/// not <c>maxTokens</c>; <see cref="OmittedMessages"/>: how many of the oldest messages were left out so the
/// conversation fits the context.</summary>
public sealed record ChatSummary(string FinishReason, ChatUsage Usage, ChatTimings Timings, bool ContextFull = false, int OmittedMessages = 0);

public sealed record ChatUsage(int PromptTokens, int CompletionTokens);

/// <summary>
/// Wall-clock figures measured on the server: <see cref="TimeToFirstTokenMs"/> from acceptance (queueing and prompt
/// evaluation included) to the first token, <see cref="TotalMs"/> to the last one, and the generation speed over the
/// tokens after the first.
/// </summary>
public sealed record ChatTimings(double TimeToFirstTokenMs, double TotalMs, double TokensPerSecond);
