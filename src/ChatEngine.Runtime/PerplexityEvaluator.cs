using ChatEngine.Runtime.Lora;

namespace ChatEngine.Runtime;

/// <summary>Result of a perplexity run: exp(mean negative log-likelihood) over the scored positions.</summary>
public sealed record PerplexityResult(double Perplexity, double MeanNegativeLogLikelihood, int Tokens, int Chunks, int ScoredPredictions);

/// <summary>
/// Perplexity computed the way llama.cpp's <c>llama-perplexity</c> does: the token stream is cut into
/// floor(tokens / ctx) chunks of ctx tokens; each chunk is evaluated from an empty cache in one pass, its first token
/// replaced by BOS when the model adds BOS, and only the predictions in the second half of the chunk are scored
/// (logits at positions ctx/2 .. ctx-2 predicting the following token).
/// </summary>
public static class PerplexityEvaluator
{
    public static PerplexityResult Evaluate(LanguageModel model, IReadOnlyList<int> tokens, int contextSize, int? bosTokenId,
        Action<int, int, double>? onChunkDone = null, LoraSelection? adapters = null)
    {
        if (contextSize < 4) throw new ArgumentOutOfRangeException(nameof(contextSize), contextSize, "context must be at least 4 tokens");
        var chunks = tokens.Count / contextSize;
        if (chunks == 0)
            throw new ArgumentException($"the text has {tokens.Count} tokens, fewer than one context of {contextSize}", nameof(tokens));
        var vocab = model.Parameters.VocabSize;
        var context = model.CreateContext(contextSize);
        context.Adapters = adapters ?? LoraSelection.None;
        var logits = new float[contextSize * vocab];
        var chunk = new int[contextSize];
        var first = contextSize / 2;
        double nll = 0;
        var scored = 0;
        for (var c = 0; c < chunks; c++)
        {
            for (var i = 0; i < contextSize; i++) chunk[i] = tokens[c * contextSize + i];
            if (bosTokenId is int bos) chunk[0] = bos;
            context.Reset();
            context.EvaluateAll(chunk, logits);
            for (var position = first; position < contextSize - 1; position++)
            {
                nll -= LogSoftmaxAt(logits.AsSpan(position * vocab, vocab), tokens[c * contextSize + position + 1]);
                scored++;
            }
            onChunkDone?.Invoke(c + 1, chunks, Math.Exp(nll / scored));
        }
        var mean = nll / scored;
        return new PerplexityResult(Math.Exp(mean), mean, tokens.Count, chunks, scored);
    }

    private static double LogSoftmaxAt(ReadOnlySpan<float> logits, int target)
    {
        double max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        return logits[target] - max - Math.Log(sum);
    }
}
