using System.Numerics.Tensors;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Layers;

/// <summary>
/// Scaled dot-product attention with a causal mask inside each packed document and grouped KV heads (query head h
/// reads KV head h / (heads / kvHeads)). Forward keeps only each row's log-sum-exp; backward recomputes the
/// probabilities from it, so memory grows with tokens, not tokens². Heads (forward) and KV groups (backward) run in
/// parallel, each summing in a fixed order, so results do not depend on the thread count.
/// </summary>
internal sealed class CausalAttention
{
    private readonly ModelHyperParameters _p;
    private readonly float _scale;
    private readonly float[] _logSumExp;

    public CausalAttention(ModelHyperParameters p, int maxTokens)
    {
        _p = p;
        _scale = 1 / MathF.Sqrt(p.HeadSize);
        _logSumExp = new float[maxTokens * p.HeadCount];
    }

    /// <param name="q">tokens x heads x headSize.</param>
    /// <param name="k">tokens x kvHeads x headSize (as <paramref name="v"/>).</param>
    /// <param name="segmentStarts">For each token, the index of the first token of its document.</param>
    /// <param name="output">tokens x heads x headSize.</param>
    public void Forward(float[] q, float[] k, float[] v, int tokens, int[] segmentStarts, float[] output, ParallelOptions parallel)
    {
        Parallel.For(0, _p.HeadCount, parallel, h =>
        {
            var d = _p.HeadSize;
            var group = h / (_p.HeadCount / _p.KvHeadCount);
            var scores = new float[tokens];
            for (var t = 0; t < tokens; t++)
            {
                var start = segmentStarts[t];
                var query = q.AsSpan(QueryOffset(t, h), d);
                var max = float.NegativeInfinity;
                for (var j = start; j <= t; j++)
                {
                    scores[j] = _scale * TensorPrimitives.Dot(query, k.AsSpan(KvOffset(j, group), d));
                    max = MathF.Max(max, scores[j]);
                }
                var sum = 0f;
                for (var j = start; j <= t; j++) sum += scores[j] = MathF.Exp(scores[j] - max);
                var row = output.AsSpan(QueryOffset(t, h), d);
                row.Clear();
                for (var j = start; j <= t; j++) TensorPrimitives.MultiplyAdd(v.AsSpan(KvOffset(j, group), d), scores[j] / sum, row, row);
                _logSumExp[t * _p.HeadCount + h] = max + MathF.Log(sum);
            }
        });
    }

    /// <summary>
    /// Writes (not adds) dq, dk and dv from dOutput, given the same inputs and output as the last <see cref="Forward"/>.
    /// </summary>
    public void Backward(float[] q, float[] k, float[] v, float[] output, float[] dOutput, int tokens, int[] segmentStarts,
        float[] dq, float[] dk, float[] dv, ParallelOptions parallel)
    {
        var d = _p.HeadSize;
        var headsPerGroup = _p.HeadCount / _p.KvHeadCount;
        Array.Clear(dq, 0, tokens * _p.HeadCount * d);
        Array.Clear(dk, 0, tokens * _p.KvSize);
        Array.Clear(dv, 0, tokens * _p.KvSize);
        Parallel.For(0, _p.KvHeadCount, parallel, group =>
        {
            for (var h = group * headsPerGroup; h < (group + 1) * headsPerGroup; h++)
            {
                for (var t = 0; t < tokens; t++)
                {
                    var query = q.AsSpan(QueryOffset(t, h), d);
                    var outputGradient = dOutput.AsSpan(QueryOffset(t, h), d);
                    var queryGradient = dq.AsSpan(QueryOffset(t, h), d);
                    // Σ_j p_j (dO · v_j) = dO · output, the softmax Jacobian's shared term.
                    var shared = TensorPrimitives.Dot(outputGradient, output.AsSpan(QueryOffset(t, h), d));
                    var logSumExp = _logSumExp[t * _p.HeadCount + h];
                    for (var j = segmentStarts[t]; j <= t; j++)
                    {
                        var key = k.AsSpan(KvOffset(j, group), d);
                        var probability = MathF.Exp(_scale * TensorPrimitives.Dot(query, key) - logSumExp);
                        var valueGradient = dv.AsSpan(KvOffset(j, group), d);
                        TensorPrimitives.MultiplyAdd(outputGradient, probability, valueGradient, valueGradient);
                        var scoreGradient = _scale * probability * (TensorPrimitives.Dot(outputGradient, v.AsSpan(KvOffset(j, group), d)) - shared);
                        TensorPrimitives.MultiplyAdd(key, scoreGradient, queryGradient, queryGradient);
                        var keyGradient = dk.AsSpan(KvOffset(j, group), d);
                        TensorPrimitives.MultiplyAdd(query, scoreGradient, keyGradient, keyGradient);
                    }
                }
            }
        });
    }

    private int QueryOffset(int token, int head) => (token * _p.HeadCount + head) * _p.HeadSize;

    private int KvOffset(int token, int group) => (token * _p.KvHeadCount + group) * _p.HeadSize;
}
