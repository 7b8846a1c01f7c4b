using System.Numerics.Tensors;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Lora;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// The decoder-only forward pass shared by llama-style architectures (llama, qwen2): RMSNorm, rotary attention with
/// grouped KV heads, SwiGLU feed-forward, tied or separate output head. Not thread-safe: one evaluation at a time.
/// </summary>
public sealed class Transformer
{
    /// <summary>Tokens evaluated per forward call; longer inputs are processed in chunks of this size.</summary>
    public const int MaxBatch = 64;

    private readonly ModelHyperParameters _p;
    private readonly ModelWeights _w;
    private readonly ComputePool _pool;
    private readonly float[] _x, _xb, _q, _k, _v, _attention, _gate, _up;
    private readonly float[] _ropeCos, _ropeSin;
    private readonly AttentionJob _attentionJob;
    private readonly LoraProjection _lora;

    public Transformer(ModelHyperParameters parameters, ModelWeights weights, ComputePool pool)
    {
        _p = parameters;
        _w = weights;
        _pool = pool;
        var qSize = _p.HeadCount * _p.HeadSize;
        _x = new float[MaxBatch * _p.EmbeddingSize];
        _xb = new float[MaxBatch * Math.Max(_p.EmbeddingSize, qSize)];
        _q = new float[MaxBatch * qSize];
        _k = new float[MaxBatch * _p.KvSize];
        _v = new float[MaxBatch * _p.KvSize];
        _attention = new float[MaxBatch * qSize];
        _gate = new float[MaxBatch * _p.FeedForwardSize];
        _up = new float[MaxBatch * _p.FeedForwardSize];
        _ropeCos = new float[_p.RopeDimensions / 2];
        _ropeSin = new float[_p.RopeDimensions / 2];
        _attentionJob = new AttentionJob(_p);
        _lora = new LoraProjection(pool);
    }

    public ModelHyperParameters Parameters => _p;

    /// <summary>LoRA adapters added to the projections of the following evaluations (none by default).</summary>
    public LoraSelection Adapters { get; set; } = LoraSelection.None;

    /// <summary>
    /// Appends <paramref name="tokens"/> to the sequence in <paramref name="cache"/> and writes next-token logits:
    /// for the last token only, or for every token when <paramref name="logits"/> has room for tokens x vocab.
    /// </summary>
    public void Evaluate(KvCache cache, ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var vocab = _p.VocabSize;
        var allPositions = logits.Length >= tokens.Length * vocab;
        if (!allPositions && logits.Length < vocab) throw new ArgumentException($"logits needs at least {vocab} floats", nameof(logits));
        CheckInput(cache, tokens);

        for (var start = 0; start < tokens.Length; start += MaxBatch)
        {
            var chunk = tokens.Slice(start, Math.Min(MaxBatch, tokens.Length - start));
            var isLast = start + chunk.Length == tokens.Length;
            var output = allPositions ? logits.Slice(start * vocab, chunk.Length * vocab) : isLast ? logits[..vocab] : default;
            EvaluateChunk(cache, chunk, output, allPositions, singleToken: tokens.Length == 1);
        }
    }

    /// <summary>
    /// Appends <paramref name="tokens"/> to the sequence in <paramref name="cache"/> and writes each token's final
    /// hidden state after the output norm (the output head's input) into <paramref name="hidden"/> (tokens x embd).
    /// </summary>
    public void EvaluateHiddenStates(KvCache cache, ReadOnlySpan<int> tokens, Span<float> hidden)
    {
        var embd = _p.EmbeddingSize;
        if (hidden.Length < tokens.Length * embd) throw new ArgumentException($"hidden needs {tokens.Length * embd} floats", nameof(hidden));
        CheckInput(cache, tokens);
        for (var start = 0; start < tokens.Length; start += MaxBatch)
        {
            var chunk = tokens.Slice(start, Math.Min(MaxBatch, tokens.Length - start));
            EvaluateChunk(cache, chunk, default, false, singleToken: tokens.Length == 1);
            for (var t = 0; t < chunk.Length; t++)
                RmsNorm.Apply(_x.AsSpan(t * embd, embd), _w.OutputNorm, _p.RmsNormEpsilon, hidden.Slice((start + t) * embd, embd));
        }
    }

    private void CheckInput(KvCache cache, ReadOnlySpan<int> tokens)
    {
        if (cache.Length + tokens.Length > cache.ContextSize) throw new ContextOverflowException(cache.Length + tokens.Length, cache.ContextSize);
        foreach (var token in tokens)
            if ((uint)token >= (uint)_p.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id outside the vocabulary of {_p.VocabSize}");
    }

    private void EvaluateChunk(KvCache cache, ReadOnlySpan<int> tokens, Span<float> logits, bool allPositions, bool singleToken)
    {
        var n = tokens.Length;
        var embd = _p.EmbeddingSize;
        var x = _x.AsSpan(0, n * embd);
        for (var t = 0; t < n; t++)
            QuantFormats.Dequantize(_w.TokenEmbedding.Type, _w.TokenEmbedding.Row(tokens[t]), x.Slice(t * embd, embd));
        if (!Adapters.IsEmpty) _lora.AddToEmbeddings(Adapters, tokens, x);

        var startPosition = cache.Length;
        for (var layer = 0; layer < _p.LayerCount; layer++)
        {
            Attention(cache, layer, n, startPosition, singleToken);
            FeedForward(_w.Layers[layer], n);
        }
        cache.Length = startPosition + n;
        if (logits.IsEmpty) return;

        var first = allPositions ? 0 : n - 1;
        var rows = n - first;
        var normed = _xb.AsSpan(0, rows * embd);
        for (var t = 0; t < rows; t++) RmsNorm.Apply(x.Slice((first + t) * embd, embd), _w.OutputNorm, _p.RmsNormEpsilon, normed.Slice(t * embd, embd));
        Project(_w.Output, normed, rows, logits[..(rows * _p.VocabSize)]);
    }

    private void Attention(KvCache cache, int layer, int n, int startPosition, bool singleToken)
    {
        var w = _w.Layers[layer];
        var embd = _p.EmbeddingSize;
        var headSize = _p.HeadSize;
        var qSize = _p.HeadCount * headSize;
        var kvSize = _p.KvSize;
        var x = _x.AsSpan(0, n * embd);
        var xb = _xb.AsSpan(0, n * embd);
        for (var t = 0; t < n; t++) RmsNorm.Apply(x.Slice(t * embd, embd), w.AttentionNorm, _p.RmsNormEpsilon, xb.Slice(t * embd, embd));

        var q = _q.AsSpan(0, n * qSize);
        var k = _k.AsSpan(0, n * kvSize);
        var v = _v.AsSpan(0, n * kvSize);
        Project(w.Query, xb, n, q);
        Project(w.Key, xb, n, k);
        Project(w.Value, xb, n, v);
        for (var t = 0; t < n; t++)
        {
            if (w.QueryBias is not null) TensorPrimitives.Add(q.Slice(t * qSize, qSize), w.QueryBias, q.Slice(t * qSize, qSize));
            if (w.KeyBias is not null) TensorPrimitives.Add(k.Slice(t * kvSize, kvSize), w.KeyBias, k.Slice(t * kvSize, kvSize));
            if (w.ValueBias is not null) TensorPrimitives.Add(v.Slice(t * kvSize, kvSize), w.ValueBias, v.Slice(t * kvSize, kvSize));
            Rope.ComputeAngles(startPosition + t, _p.RopeDimensions, _p.RopeFrequencyBase, _p.RopeFrequencyScale, _ropeCos, _ropeSin);
            for (var h = 0; h < _p.HeadCount; h++) Rope.Rotate(q.Slice(t * qSize + h * headSize, headSize), _ropeCos, _ropeSin, _p.RopeMode);
            for (var h = 0; h < _p.KvHeadCount; h++) Rope.Rotate(k.Slice(t * kvSize + h * headSize, headSize), _ropeCos, _ropeSin, _p.RopeMode);
        }
        TensorPrimitives.ConvertToHalf(k, cache.Keys[layer].AsSpan(startPosition * kvSize, n * kvSize));
        TensorPrimitives.ConvertToHalf(v, cache.Values[layer].AsSpan(startPosition * kvSize, n * kvSize));

        RoundToHalf(q);
        _attentionJob.Run(_pool, _q, _attention, cache.Keys[layer], cache.Values[layer], n, startPosition, singleToken);
        var output = _attention.AsSpan(0, n * qSize);
        var projected = _xb.AsSpan(0, n * embd);
        Project(w.AttentionOutput, output, n, projected);
        TensorPrimitives.Add(x, projected, x);
    }

    private void FeedForward(LayerWeights w, int n)
    {
        var embd = _p.EmbeddingSize;
        var ff = _p.FeedForwardSize;
        var x = _x.AsSpan(0, n * embd);
        var xb = _xb.AsSpan(0, n * embd);
        for (var t = 0; t < n; t++) RmsNorm.Apply(x.Slice(t * embd, embd), w.FeedForwardNorm, _p.RmsNormEpsilon, xb.Slice(t * embd, embd));
        var gate = _gate.AsSpan(0, n * ff);
        var up = _up.AsSpan(0, n * ff);
        Project(w.Gate, xb, n, gate);
        Project(w.Up, xb, n, up);
        for (var t = 0; t < n; t++) Activations.SwiGlu(gate.Slice(t * ff, ff), up.Slice(t * ff, ff), gate.Slice(t * ff, ff));
        Project(w.Down, gate, n, xb);
        TensorPrimitives.Add(x, xb, x);
    }

    /// <summary>output = W input for <paramref name="tokens"/> rows, plus the selected adapters' terms for W.</summary>
    private void Project(in WeightMatrix w, ReadOnlySpan<float> input, int tokens, Span<float> output)
    {
        MatMul.Multiply(_pool, w, input, tokens, output);
        if (!Adapters.IsEmpty) _lora.AddTo(Adapters, w, input, tokens, output);
    }

    private static void RoundToHalf(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = (float)(Half)values[i];
    }
}
