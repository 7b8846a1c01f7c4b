using System.Numerics.Tensors;
using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Lora;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// The decoder-only forward pass shared by llama-style architectures (llama, qwen2, qwen3, gemma3, phi3): RMSNorm, rotary
/// attention with grouped KV heads, optional per-head QK-norm, sliding-window local layers and post-norms, SwiGLU or GeGLU
/// feed-forward, tied or separate output head. Not thread-safe: one evaluation at a time.
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
    private readonly TokenBatch _single;
    private readonly bool[] _singleTokenRows = new bool[MaxBatch];
    private float[] _gatheredInput = [];
    private float[] _gatheredOutput = [];
    private readonly int[] _gatheredTokens = new int[MaxBatch];
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
        _single = new TokenBatch(_p.VocabSize);
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
        _single.Clear();
        try
        {
            _single.Add(cache, tokens, allPositions ? BatchLogits.All : BatchLogits.Last);
            Evaluate(_single, logits);
        }
        finally
        {
            _single.Clear();
        }
    }

    /// <summary>
    /// Appends <paramref name="tokens"/> and writes each one's final hidden state (after the output norm, the vector
    /// the output head turns into logits) into <paramref name="hidden"/> (tokens x embedding); no logits are computed.
    /// </summary>
    public void EvaluateHiddenStates(KvCache cache, ReadOnlySpan<int> tokens, Span<float> hidden)
    {
        var embd = _p.EmbeddingSize;
        if (hidden.Length < tokens.Length * embd) throw new ArgumentException($"hidden needs {tokens.Length * embd} floats", nameof(hidden));
        _single.Clear();
        try
        {
            _single.Add(cache, tokens, BatchLogits.None);
            Run(_single, default, hidden);
        }
        finally
        {
            _single.Clear();
        }
    }

    /// <summary>
    /// Evaluates every token of <paramref name="batch"/>, each sequence over its own cache, and writes the requested
    /// next-token logits to <paramref name="logits"/>, one row of vocab floats per <see cref="TokenBatch.LogitRows"/>.
    /// A sequence gets bit for bit what evaluating it alone gives: rows are computed independently, each in the
    /// <see cref="SummationOrder"/> its solo evaluation uses.
    /// </summary>
    public void Evaluate(TokenBatch batch, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var needed = batch.LogitRows * _p.VocabSize;
        if (logits.Length < needed) throw new ArgumentException($"logits needs {needed} floats for {batch.LogitRows} rows", nameof(logits));
        Run(batch, logits, default);
    }

    /// <summary>Evaluates the batch; writes the requested logits and, when <paramref name="hidden"/> is not empty, every token's final hidden state.</summary>
    private void Run(TokenBatch batch, Span<float> logits, Span<float> hidden)
    {
        batch.CheckCachesUnchanged();
        var row = 0;
        for (var start = 0; start < batch.Count; start += MaxBatch)
        {
            var n = Math.Min(MaxBatch, batch.Count - start);
            var embd = _p.EmbeddingSize;
            row = EvaluateChunk(batch, start, n, logits, row, hidden.IsEmpty ? default : hidden.Slice(start * embd, n * embd));
        }
    }

    /// <summary>Runs tokens [start, start + n) of the batch; returns the next free logits row.</summary>
    private int EvaluateChunk(TokenBatch batch, int start, int n, Span<float> logits, int firstRow, Span<float> hidden)
    {
        var embd = _p.EmbeddingSize;
        var x = _x.AsSpan(0, n * embd);
        for (var t = 0; t < n; t++)
            QuantFormats.Dequantize(_w.TokenEmbedding.Type, _w.TokenEmbedding.Row(batch.Token(start + t)), x.Slice(t * embd, embd));
        for (var t = 0; t < n; t++) _singleTokenRows[t] = (batch.Order(start + t) & SummationOrder.SingleTokenLayers) != 0;
        if (!Adapters.IsEmpty) AddEmbeddingAdapters(batch, start, n, x);
        if (_p.EmbeddingScale != 1f) TensorPrimitives.Multiply(x, _p.EmbeddingScale, x);

        for (var layer = 0; layer < _p.LayerCount; layer++)
        {
            Attention(batch, start, layer, n);
            FeedForward(_w.Layers[layer], n);
        }
        for (var t = 0; t < n; t++)
        {
            var cache = batch.Cache(start + t);
            var position = batch.Position(start + t);
            cache.Orders[position] = batch.Order(start + t) & (SummationOrder.SingleTokenAttention | SummationOrder.SingleTokenLayers);
            cache.Length = position + 1;
        }
        for (var t = 0; t < n && !hidden.IsEmpty; t++) RmsNorm.Apply(x.Slice(t * embd, embd), _w.OutputNorm, _p.RmsNormEpsilon, hidden.Slice(t * embd, embd));

        var rows = 0;
        var normed = _xb.AsSpan();
        for (var t = 0; t < n; t++)
        {
            if (!batch.WantsLogits(start + t)) continue;
            RmsNorm.Apply(x.Slice(t * embd, embd), _w.OutputNorm, _p.RmsNormEpsilon, normed.Slice(rows * embd, embd));
            _singleTokenRows[rows] = (batch.Order(start + t) & SummationOrder.SingleTokenOutput) != 0;
            rows++;
        }
        if (rows == 0) return firstRow;
        var vocab = _p.VocabSize;
        Project(_w.Output, normed[..(rows * embd)], rows, logits.Slice(firstRow * vocab, rows * vocab));
        return firstRow + rows;
    }

    private void Attention(TokenBatch batch, int start, int layer, int n)
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
        var local = _p.IsLocalLayer(layer);
        var ropeBase = local ? _p.LocalRopeFrequencyBase : _p.RopeFrequencyBase;
        var ropeScale = local ? 1f : _p.RopeFrequencyScale;
        for (var t = 0; t < n; t++)
        {
            if (w.QueryBias is not null) TensorPrimitives.Add(q.Slice(t * qSize, qSize), w.QueryBias, q.Slice(t * qSize, qSize));
            if (w.KeyBias is not null) TensorPrimitives.Add(k.Slice(t * kvSize, kvSize), w.KeyBias, k.Slice(t * kvSize, kvSize));
            if (w.ValueBias is not null) TensorPrimitives.Add(v.Slice(t * kvSize, kvSize), w.ValueBias, v.Slice(t * kvSize, kvSize));
            if (w.QueryNorm is not null) NormalizeHeads(q.Slice(t * qSize, qSize), w.QueryNorm);
            if (w.KeyNorm is not null) NormalizeHeads(k.Slice(t * kvSize, kvSize), w.KeyNorm);
            var position = batch.Position(start + t);
            Rope.ComputeAngles(position, _p.RopeDimensions, ropeBase, ropeScale, _w.RopeFrequencyFactors, _ropeCos, _ropeSin);
            for (var h = 0; h < _p.HeadCount; h++) Rope.Rotate(q.Slice(t * qSize + h * headSize, headSize), _ropeCos, _ropeSin, _p.RopeMode);
            for (var h = 0; h < _p.KvHeadCount; h++) Rope.Rotate(k.Slice(t * kvSize + h * headSize, headSize), _ropeCos, _ropeSin, _p.RopeMode);
            if (_p.ScalesQueries) TensorPrimitives.Multiply(q.Slice(t * qSize, qSize), _p.AttentionScale, q.Slice(t * qSize, qSize));
            var cache = batch.Cache(start + t);
            TensorPrimitives.ConvertToHalf(k.Slice(t * kvSize, kvSize), cache.Keys[layer].AsSpan(position * kvSize, kvSize));
            TensorPrimitives.ConvertToHalf(v.Slice(t * kvSize, kvSize), cache.Values[layer].AsSpan(position * kvSize, kvSize));
        }

        HalfRounding.Round(q);
        _attentionJob.Run(_pool, _q, _attention, batch, start, n, layer);
        var output = _attention.AsSpan(0, n * qSize);
        var projected = _xb.AsSpan(0, n * embd);
        Project(w.AttentionOutput, output, n, projected);
        AddResidual(x, projected, w.PostAttentionNorm, n);
    }

    /// <summary>x += branch, the branch RMS-normalised first where the architecture has a post-norm (gemma3's sandwich norms).</summary>
    private void AddResidual(Span<float> x, Span<float> branch, float[]? postNorm, int n)
    {
        var embd = _p.EmbeddingSize;
        if (postNorm is not null)
            for (var t = 0; t < n; t++) RmsNorm.Apply(branch.Slice(t * embd, embd), postNorm, _p.RmsNormEpsilon, branch.Slice(t * embd, embd));
        TensorPrimitives.Add(x, branch, x);
    }

    /// <summary>QK-norm: each head's values RMS-normalised in place and scaled by the weight all heads share.</summary>
    private void NormalizeHeads(Span<float> heads, float[] weight)
    {
        for (var h = 0; h < heads.Length; h += weight.Length) RmsNorm.Apply(heads.Slice(h, weight.Length), weight, _p.RmsNormEpsilon, heads.Slice(h, weight.Length));
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
        for (var t = 0; t < n; t++)
        {
            if (_p.Activation == FeedForwardActivation.GeGlu) Activations.GeGlu(gate.Slice(t * ff, ff), up.Slice(t * ff, ff), gate.Slice(t * ff, ff));
            else Activations.SwiGlu(gate.Slice(t * ff, ff), up.Slice(t * ff, ff), gate.Slice(t * ff, ff));
        }
        Project(w.Down, gate, n, xb);
        AddResidual(x, xb, w.PostFeedForwardNorm, n);
    }

    /// <summary>
    /// output = input x w (plus the selected adapters' terms) for <paramref name="rows"/> rows, each in the summation
    /// order its solo evaluation uses (<see cref="_singleTokenRows"/>). F32/F16/BF16 kernels (and so float adapters)
    /// sum differently for one token than for several, so then mixed rows are split: single-token rows one at a time,
    /// the others together (two at least, a lone one beside a copy of itself). Quantized weights without adapters take
    /// every row in one product.
    /// </summary>
    private void Project(in WeightMatrix w, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        var single = _singleTokenRows.AsSpan(0, rows);
        var singles = single.Count(true);
        var severalTokenOrder = rows - singles;
        if ((!SumsDependOnTokenCount(w.Type) && Adapters.IsEmpty) || (singles == 0 && rows > 1) || (singles == 1 && rows == 1))
        {
            ProjectRows(w, input, rows, output);
            return;
        }
        var cols = w.Cols;
        var outputs = w.Rows;
        if (severalTokenOrder > 0)
        {
            var gathered = Gather(input, cols, rows, single);
            if (_gatheredOutput.Length < gathered * outputs) _gatheredOutput = new float[MaxBatch * outputs];
            ProjectRows(w, _gatheredInput, gathered, _gatheredOutput);
            Scatter(_gatheredOutput, output, outputs, rows, single);
        }
        for (var r = 0; r < rows; r++)
            if (single[r]) ProjectRows(w, input.Slice(r * cols, cols), 1, output.Slice(r * outputs, outputs));
    }

    private void ProjectRows(in WeightMatrix w, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        MatMul.Multiply(_pool, w, input, rows, output);
        if (!Adapters.IsEmpty) _lora.AddTo(Adapters, w, input, rows, output);
    }

    /// <summary>The adapters' embedding terms, each token in its solo order like <see cref="Project"/>.</summary>
    private void AddEmbeddingAdapters(TokenBatch batch, int start, int n, Span<float> x)
    {
        var embd = _p.EmbeddingSize;
        var single = _singleTokenRows.AsSpan(0, n);
        var next = 0;
        for (var t = 0; t < n; t++)
        {
            _gatheredTokens[next] = batch.Token(start + t);
            if (single[t]) _lora.AddToEmbeddings(Adapters, _gatheredTokens.AsSpan(next, 1), x.Slice(t * embd, embd));
            else next++;
        }
        if (next == 0) return;
        if (next == 1) _gatheredTokens[1] = _gatheredTokens[0];
        var gathered = Gather(x, embd, n, single);
        _lora.AddToEmbeddings(Adapters, _gatheredTokens.AsSpan(0, gathered), _gatheredInput.AsSpan(0, gathered * embd));
        Scatter(_gatheredInput, x, embd, n, single);
    }

    /// <summary>Copies the rows not marked single into <see cref="_gatheredInput"/> (a lone one twice); returns the row count there.</summary>
    private int Gather(ReadOnlySpan<float> rows, int width, int count, ReadOnlySpan<bool> single)
    {
        var gathered = Math.Max(2, count - single.Count(true));
        if (_gatheredInput.Length < gathered * width) _gatheredInput = new float[MaxBatch * width];
        var next = 0;
        for (var r = 0; r < count; r++)
            if (!single[r]) rows.Slice(r * width, width).CopyTo(_gatheredInput.AsSpan(next++ * width, width));
        if (next == 1) _gatheredInput.AsSpan(0, width).CopyTo(_gatheredInput.AsSpan(width, width));
        return gathered;
    }

    /// <summary>Copies gathered rows back to the places of the rows not marked single.</summary>
    private static void Scatter(ReadOnlySpan<float> gathered, Span<float> rows, int width, int count, ReadOnlySpan<bool> single)
    {
        var next = 0;
        for (var r = 0; r < count; r++)
            if (!single[r]) gathered.Slice(next++ * width, width).CopyTo(rows.Slice(r * width, width));
    }

    /// <summary>Weight types whose kernels sum one token's dot products in another order than several tokens'
    /// (vec_dot vs tinyBLAS in llama.cpp and in Kernels' MatMul). Listing a type needlessly only costs speed;
    /// BatchedEvaluationTests fail if one is missing.</summary>
    private static bool SumsDependOnTokenCount(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;
}
