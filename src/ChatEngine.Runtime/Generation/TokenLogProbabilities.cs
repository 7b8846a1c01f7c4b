namespace ChatEngine.Runtime.Generation;

/// <summary>A token and its log-probability.</summary>
public readonly record struct TokenLogProbability(int Id, float LogProbability);

/// <summary>
/// OpenAI's logprobs for one generated token: the log-softmax of the model's raw logits (before logit bias, penalties,
/// temperature, truncation or an output constraint) at the chosen token, and the most likely tokens under the same
/// distribution, most likely first.
/// </summary>
public sealed record TokenLogProbabilities(TokenLogProbability Chosen, IReadOnlyList<TokenLogProbability> Top)
{
    public static TokenLogProbabilities Compute(ReadOnlySpan<float> logits, int chosen, int top)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        var logNormalizer = TopProbabilities.LogNormalizer(logits);
        var ids = TopProbabilities.MostLikely(logits, top);
        var alternatives = new TokenLogProbability[ids.Length];
        for (var i = 0; i < ids.Length; i++) alternatives[i] = new TokenLogProbability(ids[i], (float)(logits[ids[i]] - logNormalizer));
        return new TokenLogProbabilities(new TokenLogProbability(chosen, (float)(logits[chosen] - logNormalizer)), alternatives);
    }
}
