using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// Causal grouped-query attention of a batch's tokens, each over its own sequence's F16 KV cache up to its position
/// (and, in a local layer, no further back than the sliding window);
/// one item per query head so the compute pool can spread heads over threads. Each head owns its scratch (scores,
/// accumulators), so items never share writable memory. As llama.cpp's CPU path with an F16 cache does, q (rounded by
/// the caller) and the softmaxed scores are F16 values, and a token evaluated on its own sums the weighted values in a
/// different order than tokens evaluated together (<see cref="F16Attention.WeightedSum"/>).
/// </summary>
internal sealed class AttentionJob(ModelHyperParameters p) : IComputeJob
{
    private readonly float[][] _scores = Enumerable.Range(0, p.HeadCount).Select(_ => Array.Empty<float>()).ToArray();
    private readonly float[][] _accumulators = Enumerable.Range(0, p.HeadCount).Select(_ => new float[F16Attention.MaxLanes * p.HeadSize]).ToArray();
    private float[] _q = [];
    private float[] _output = [];
    private TokenBatch? _batch;
    private int _start;
    private int _tokens;
    private int _layer;

    /// <summary>Attention of batch tokens [start, start + tokens) in <paramref name="layer"/>, whose keys and values are already cached.</summary>
    public void Run(ComputePool pool, float[] q, float[] output, TokenBatch batch, int start, int tokens, int layer)
    {
        (_q, _output, _batch, _start, _tokens, _layer) = (q, output, batch, start, tokens, layer);
        var visible = 0;
        for (var t = 0; t < tokens; t++) visible = Math.Max(visible, batch.Position(start + t) + 1);
        for (var h = 0; h < _scores.Length; h++)
            if (_scores[h].Length < visible) _scores[h] = new float[Math.Max(visible, 2 * _scores[h].Length)];
        try
        {
            pool.Run(this, p.HeadCount, 1);
        }
        finally
        {
            _batch = null;
        }
    }

    public void Execute(int start, int end)
    {
        var headSize = p.HeadSize;
        var qSize = p.HeadCount * headSize;
        var kvSize = p.KvSize;
        var groupSize = p.HeadCount / p.KvHeadCount;
        var scale = p.ScalesQueries ? 1f : p.AttentionScale;
        for (var h = start; h < end; h++)
        {
            var accumulators = _accumulators[h].AsSpan();
            var kvOffset = h / groupSize * headSize;
            for (var t = 0; t < _tokens; t++)
            {
                var cache = _batch!.Cache(_start + t);
                var keys = cache.Keys[_layer].AsSpan(kvOffset);
                var values = cache.Values[_layer].AsSpan(kvOffset);
                var position = _batch.Position(_start + t);
                var first = p.FirstVisibleKey(_layer, position);
                var scores = _scores[h].AsSpan(0, position + 1 - first);
                var query = _q.AsSpan(t * qSize + h * headSize, headSize);
                for (var i = 0; i < scores.Length; i++) scores[i] = F16Attention.Dot(query, keys.Slice((first + i) * kvSize, headSize)) * scale;
                F16Attention.Softmax(scores);
                for (var i = 0; i < scores.Length; i++) scores[i] = (float)(Half)scores[i];
                var result = _output.AsSpan(t * qSize + h * headSize, headSize);
                var singleToken = (_batch.Order(_start + t) & SummationOrder.SingleTokenAttention) != 0;
                F16Attention.WeightedSum(scores, values[(first * kvSize)..], kvSize, result, accumulators, singleToken);
            }
        }
    }
}
