using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Layers;

/// <summary>
/// Final RMSNorm, the frozen output projection and softmax cross-entropy, evaluated only at the positions that are
/// asked for (the trained ones), so untrained prompt tokens cost no vocabulary-sized work.
/// </summary>
internal sealed class OutputHead
{
    private readonly ModelHyperParameters _p;
    private readonly float[] _norm;
    private readonly FrozenMatrix _head;
    private readonly float[] _rows, _normed, _logits, _normedGradient, _rowGradient;

    public OutputHead(ModelHyperParameters p, ModelWeights w, int maxTokens)
    {
        _p = p;
        _norm = w.OutputNorm;
        _head = new FrozenMatrix(w.Output);
        _rows = new float[maxTokens * p.EmbeddingSize];
        _normed = new float[maxTokens * p.EmbeddingSize];
        _logits = new float[maxTokens * p.VocabSize];
        _normedGradient = new float[maxTokens * p.EmbeddingSize];
        _rowGradient = new float[maxTokens * p.EmbeddingSize];
    }

    /// <summary>Logits (count x vocab) after the residual rows <paramref name="x"/>[positions[i]]; valid until the next call.</summary>
    public ReadOnlySpan<float> Logits(float[] x, IReadOnlyList<int> positions, ParallelOptions parallel)
    {
        var embd = _p.EmbeddingSize;
        for (var i = 0; i < positions.Count; i++) Array.Copy(x, positions[i] * embd, _rows, i * embd, embd);
        RmsNormLayer.Forward(_rows, positions.Count, _norm, _p.RmsNormEpsilon, _normed);
        _head.Forward(_normed, positions.Count, _logits, parallel);
        return _logits.AsSpan(0, positions.Count * _p.VocabSize);
    }

    /// <summary>
    /// Σ −log p(target) over the positions with a target. With <paramref name="dx"/>, adds the gradient of
    /// <paramref name="gradientScale"/> times that sum with respect to the residual rows into it.
    /// </summary>
    public double Loss(float[] x, int[] targets, int length, float gradientScale, float[]? dx, ParallelOptions parallel)
    {
        var positions = new List<int>();
        for (var t = 0; t < length; t++) if (targets[t] >= 0) positions.Add(t);
        if (positions.Count == 0) return 0;
        Logits(x, positions, parallel);
        var vocab = _p.VocabSize;
        var loss = 0.0;
        for (var i = 0; i < positions.Count; i++)
        {
            var row = _logits.AsSpan(i * vocab, vocab);
            var target = targets[positions[i]];
            var max = float.NegativeInfinity;
            foreach (var logit in row) max = MathF.Max(max, logit);
            var sum = 0.0;
            foreach (var logit in row) sum += Math.Exp(logit - max);
            var logSumExp = max + Math.Log(sum);
            loss += logSumExp - row[target];
            if (dx is null) continue;
            for (var v = 0; v < vocab; v++) row[v] = gradientScale * (float)Math.Exp(row[v] - logSumExp);
            row[target] -= gradientScale;
        }
        if (dx is null) return loss;

        var embd = _p.EmbeddingSize;
        Array.Clear(_normedGradient, 0, positions.Count * embd);
        _head.BackwardInput(_logits, positions.Count, _normedGradient, parallel);
        Array.Clear(_rowGradient, 0, positions.Count * embd);
        RmsNormLayer.Backward(_rows, positions.Count, _norm, _p.RmsNormEpsilon, _normedGradient, _rowGradient);
        for (var i = 0; i < positions.Count; i++)
        for (var j = 0; j < embd; j++) dx[positions[i] * embd + j] += _rowGradient[i * embd + j];
        return loss;
    }
}
