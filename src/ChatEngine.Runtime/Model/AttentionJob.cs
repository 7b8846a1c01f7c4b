using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// Causal grouped-query attention over the F16 KV cache, one item per query head so the compute pool can spread heads
/// over threads. Each head owns its scratch (scores, one key/value row), so items never share writable memory.
/// As llama.cpp's CPU path with an F16 cache does, q (rounded by the caller) and the softmaxed scores are F16 values.
/// </summary>
internal sealed class AttentionJob(ModelHyperParameters p) : IComputeJob
{
    private readonly float[][] _scores = Enumerable.Range(0, p.HeadCount).Select(_ => Array.Empty<float>()).ToArray();
    private readonly float[][] _accumulators = Enumerable.Range(0, p.HeadCount).Select(_ => new float[F16Attention.MaxLanes * p.HeadSize]).ToArray();
    private float[] _q = [];
    private float[] _output = [];
    private Half[] _keys = [];
    private Half[] _values = [];
    private int _tokens;
    private int _startPosition;
    private bool _singleToken;

    /// <param name="singleToken">
    /// True when the evaluation this chunk belongs to is one token: llama.cpp then sums the weighted values in a
    /// different order (see <see cref="F16Attention.WeightedSum"/>).
    /// </param>
    public void Run(ComputePool pool, float[] q, float[] output, Half[] keys, Half[] values, int tokens, int startPosition, bool singleToken)
    {
        (_q, _output, _keys, _values, _tokens, _startPosition, _singleToken) = (q, output, keys, values, tokens, startPosition, singleToken);
        var visible = startPosition + tokens;
        for (var h = 0; h < _scores.Length; h++)
            if (_scores[h].Length < visible) _scores[h] = new float[Math.Max(visible, 2 * _scores[h].Length)];
        pool.Run(this, p.HeadCount, 1);
    }

    public void Execute(int start, int end)
    {
        var headSize = p.HeadSize;
        var qSize = p.HeadCount * headSize;
        var kvSize = p.KvSize;
        var groupSize = p.HeadCount / p.KvHeadCount;
        var scale = 1f / MathF.Sqrt(headSize);
        for (var h = start; h < end; h++)
        {
            var accumulators = _accumulators[h].AsSpan();
            var kvOffset = h / groupSize * headSize;
            var keys = _keys.AsSpan(kvOffset);
            var values = _values.AsSpan(kvOffset);
            for (var t = 0; t < _tokens; t++)
            {
                var visible = _startPosition + t + 1;
                var scores = _scores[h].AsSpan(0, visible);
                var query = _q.AsSpan(t * qSize + h * headSize, headSize);
                for (var pos = 0; pos < visible; pos++) scores[pos] = F16Attention.Dot(query, keys.Slice(pos * kvSize, headSize)) * scale;
                F16Attention.Softmax(scores);
                for (var i = 0; i < scores.Length; i++) scores[i] = (float)(Half)scores[i];
                var result = _output.AsSpan(t * qSize + h * headSize, headSize);
                F16Attention.WeightedSum(scores, values, kvSize, result, accumulators, _singleToken);
            }
        }
    }
}
