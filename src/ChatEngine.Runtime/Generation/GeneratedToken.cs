namespace ChatEngine.Runtime.Generation;

/// <summary>
/// One step of a generation: the sampled token and the text that became final with it (possibly empty while a
/// multi-byte character or a possible stop sequence is pending). The last step carries the finish reason.
/// <paramref name="LogProbabilities"/> is set when <see cref="GenerationOptions.LogProbabilities"/> asks for it, for
/// every token but an end-of-generation token.
/// </summary>
public readonly record struct GeneratedToken(int Id, string Text, FinishReason? FinishReason, TokenLogProbabilities? LogProbabilities = null);
