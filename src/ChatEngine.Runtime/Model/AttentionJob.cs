using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// Causal grouped-query attention of a batch's tokens, each over its own sequence's F16 KV cache up to its position
/// (and, in a local layer, no further back than the sliding window); one item per query head and run of
/// <see cref="TokensPerItem"/> batch tokens, so the compute pool can spread them over threads. Scratch is per thread,
/// so items never share writable memory. As llama.cpp's CPU path with an F16 cache does, q (rounded by
/// the caller) and the softmaxed scores are F16 values, and a token evaluated on its own sums the weighted values in a
/// different order than tokens evaluated together (<see cref="F16Attention.WeightedSum"/>).
/// </summary>
internal sealed class AttentionJob(ModelHyperParameters p) : IComputeJob
{
    /// <summary>Batch tokens per work item: their queries share one widening of the head's keys and values, and with heads
    /// alone as items 9 heads on 2 threads would leave one idle a ninth of the time.</summary>
    private const int TokensPerItem = 8;

    /// <summary>Each thread's scratch: scores, weighted-sum lanes and one head's keys and values widened to F32.</summary>
    [ThreadStatic]
    private static float[]? t_scores;

    [ThreadStatic]
    private static float[]? t_accumulators;

    [ThreadStatic]
    private static float[]? t_keys;

    [ThreadStatic]
    private static float[]? t_values;

    private float[] _q = [];
    private float[] _output = [];
    private TokenBatch? _batch;
    private int _start;
    private int _tokens;
    private int _layer;
    private int _tokenChunks;
    private int _headsPerItem;

    /// <summary>Items per thread below which an item takes one query head rather than a KV head's group.</summary>
    private const int ItemsPerThread = 4;

    /// <summary>Attention of batch tokens [start, start + tokens) in <paramref name="layer"/>, whose keys and values are already cached.</summary>
    public void Run(ComputePool pool, float[] q, float[] output, TokenBatch batch, int start, int tokens, int layer)
    {
        (_q, _output, _batch, _start, _tokens, _layer) = (q, output, batch, start, tokens, layer);
        _tokenChunks = (tokens + TokensPerItem - 1) / TokensPerItem;
        _headsPerItem = _tokenChunks * p.KvHeadCount >= ItemsPerThread * pool.ThreadCount ? p.HeadCount / p.KvHeadCount : 1;
        try
        {
            pool.Run(this, p.HeadCount / _headsPerItem * _tokenChunks, 1);
        }
        finally
        {
            _batch = null;
        }
    }

    /// <summary>
    /// Items are (heads, chunk of tokens), the last tokens' chunks first: they see the most keys, so the threads end
    /// together. An item takes the query heads of one KV head when there are enough items to keep the threads busy,
    /// so they share one widening.
    /// </summary>
    public void Execute(int start, int end)
    {
        var headGroups = p.HeadCount / _headsPerItem;
        for (var item = start; item < end; item++)
        {
            var chunk = _tokenChunks - 1 - item / headGroups;
            var first = chunk * TokensPerItem;
            Attend(item % headGroups * _headsPerItem, _headsPerItem, first, Math.Min(_tokens, first + TokensPerItem));
        }
    }

    /// <summary>
    /// The item's tokens in runs that share a sequence; each run's visible keys and values of the KV head behind
    /// <paramref name="firstHead"/> (and the <paramref name="heads"/> - 1 after it, in the same group) widened once.
    /// </summary>
    private void Attend(int firstHead, int heads, int firstToken, int endToken)
    {
        var headSize = p.HeadSize;
        var kvSize = p.KvSize;
        var kvOffset = firstHead / (p.HeadCount / p.KvHeadCount) * headSize;
        for (var t = firstToken; t < endToken;)
        {
            var cache = _batch!.Cache(_start + t);
            var runEnd = t;
            var firstKey = int.MaxValue;
            var endKey = 0;
            for (; runEnd < endToken && _batch.Cache(_start + runEnd) == cache; runEnd++)
            {
                var position = _batch.Position(_start + runEnd);
                firstKey = Math.Min(firstKey, p.FirstVisibleKey(_layer, position));
                endKey = Math.Max(endKey, position + 1);
            }
            var rows = endKey - firstKey;
            var keys = Scratch(ref t_keys, rows * headSize);
            var values = Scratch(ref t_values, rows * headSize);
            cache.Widen(keys: true, _layer, kvOffset, headSize, firstKey, rows, keys);
            cache.Widen(keys: false, _layer, kvOffset, headSize, firstKey, rows, values);
            for (var head = firstHead; head < firstHead + heads; head++) Attend(head, t, runEnd, keys, values, firstKey);
            t = runEnd;
        }
    }

    /// <summary>One query head for batch tokens [firstToken, endToken), over keys and values widened from position <paramref name="firstKey"/> on.</summary>
    private void Attend(int head, int firstToken, int endToken, Span<float> keys, Span<float> values, int firstKey)
    {
        var headSize = p.HeadSize;
        var qSize = p.HeadCount * headSize;
        var scale = p.ScalesQueries ? 1f : p.AttentionScale;
        var accumulators = Scratch(ref t_accumulators, F16Attention.MaxLanes * headSize);
        for (var t = firstToken; t < endToken; t++)
        {
            var position = _batch!.Position(_start + t);
            var first = p.FirstVisibleKey(_layer, position) - firstKey;
            var scores = Scratch(ref t_scores, position + 1 - firstKey - first);
            var query = _q.AsSpan(t * qSize + head * headSize, headSize);
            F16Attention.Scores(query, keys[(first * headSize)..], headSize, scale, scores);
            F16Attention.Softmax(scores);
            HalfRounding.Round(scores);
            var result = _output.AsSpan(t * qSize + head * headSize, headSize);
            var singleToken = (_batch.Order(_start + t) & SummationOrder.SingleTokenAttention) != 0;
            F16Attention.WeightedSum(scores, values[(first * headSize)..], headSize, result, accumulators, singleToken);
        }
    }

    /// <summary>The first <paramref name="length"/> floats of a thread's scratch array, grown (doubling) when too short.</summary>
    private static Span<float> Scratch(ref float[]? array, int length)
    {
        if ((array?.Length ?? 0) < length) array = new float[Math.Max(length, 2 * (array?.Length ?? 0))];
        return array.AsSpan(0, length);
    }
}
