namespace ChatEngine.Runtime.Generation;

/// <summary>Measured speed of one generation: prompt evaluation (prefill) and token-by-token decoding.</summary>
public sealed record GenerationTimings(int PromptTokens, TimeSpan PrefillTime, int GeneratedTokens, TimeSpan DecodeTime)
{
    public double PrefillTokensPerSecond => PromptTokens / Math.Max(PrefillTime.TotalSeconds, 1e-9);

    /// <summary>Tokens after the first divided by the time spent decoding them (the first comes out of the prefill).</summary>
    public double DecodeTokensPerSecond => GeneratedTokens / Math.Max(DecodeTime.TotalSeconds, 1e-9);
}
