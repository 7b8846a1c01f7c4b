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
    private readonly MoeScratch? _moe;

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
        if (_p.ExpertCount > 0) _moe = new MoeScratch(_p);
    }

    public ModelHyperParameters Parameters => _p;

    /// <summary>
    /// llama.cpp's context shift (its K-shift): drops positions [<paramref name="keep"/>, keep + <paramref name="discard"/>)
    /// of <paramref name="cache"/> and moves the later ones down, rotating their cached keys back by
    /// <paramref name="discard"/> positions with each layer's own rope settings (rotations compose, so a key at p becomes
    /// the key at p - discard up to rounding and the cache type's storage). Values carry no position and only move.
    /// </summary>
    public void ShiftContext(KvCache cache, int keep, int discard)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var pairs = _p.RopeDimensions / 2;
        float[] Angles(bool local)
        {
            var angles = new float[2 * pairs];
            Rope.ComputeAngles(-discard, _p.RopeDimensions, local ? _p.LocalRopeFrequencyBase : _p.RopeFrequencyBase,
                local ? 1f : _p.RopeFrequencyScale, _w.RopeFrequencyFactors, angles.AsSpan(0, pairs), angles.AsSpan(pairs));
            return angles;
        }
        var global = Angles(local: false);
        var localAngles = Enumerable.Range(0, _p.LayerCount).Any(_p.IsLocalLayer) ? Angles(local: true) : global;
        cache.Shift(keep, discard, (layer, row) =>
        {
            var angles = _p.IsLocalLayer(layer) ? localAngles : global;
            for (var h = 0; h < _p.KvHeadCount; h++)
                Rope.Rotate(row.Slice(h * _p.HeadSize, _p.HeadSize), angles.AsSpan(0, pairs), angles.AsSpan(pairs), _p.RopeMode);
        });
    }

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
            cache.Store(layer, position, k.Slice(t * kvSize, kvSize), v.Slice(t * kvSize, kvSize));
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
        if (w.Experts is { } experts)
        {
            MixtureOfExperts(experts, xb, n);
            AddResidual(x, xb, w.PostFeedForwardNorm, n);
            return;
        }
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
    /// build_moe_ffn as llama.cpp runs it for qwen3moe, replacing <paramref name="xb"/> (the normalised input) by the
    /// branch: router probabilities by ggml's softmax, the <see cref="ExpertWeights.Used"/> most probable experts with
    /// their probabilities renormalised to sum 1, each chosen expert's SwiGLU output times its weight, summed in the
    /// order chosen. Each expert runs once for all the tokens that chose it; float experts one token at a time, in the
    /// vec_dot order ggml's mul_mat_id uses. LoRA adapters do not reach the experts.
    /// </summary>
    private void MixtureOfExperts(ExpertWeights experts, Span<float> xb, int n)
    {
        var moe = _moe!;
        var embd = _p.EmbeddingSize;
        var count = _p.ExpertCount;
        var used = experts.Used;
        var ff = _p.ExpertFeedForwardSize;
        var probabilities = moe.Router.AsSpan(0, n * count);
        Project(experts.Router, xb, n, probabilities);
        for (var t = 0; t < n; t++)
        {
            var p = probabilities.Slice(t * count, count);
            F16Attention.Softmax(p);
            var choices = moe.Choices.AsSpan(t * used, used);
            var weights = moe.Weights.AsSpan(t * used, used);
            var sum = 0f;
            for (var j = 0; j < used; j++)
            {
                var best = -1;
                for (var e = 0; e < count; e++)
                    if (choices[..j].IndexOf(e) < 0 && (best < 0 || p[e] > p[best])) best = e;
                choices[j] = best;
                weights[j] = p[best];
                sum += p[best];
            }
            sum = Math.Max(sum, MinimumWeightSum);
            for (var j = 0; j < used; j++) weights[j] /= sum;
        }
        var slots = moe.SlotOutputs.AsSpan(0, n * used * embd);
        for (var e = 0; e < count; e++)
        {
            var rows = 0;
            for (var slot = 0; slot < n * used; slot++)
                if (moe.Choices[slot] == e)
                {
                    xb.Slice(slot / used * embd, embd).CopyTo(moe.Input.AsSpan(rows * embd, embd));
                    moe.Slots[rows++] = slot;
                }
            if (rows == 0) continue;
            var input = moe.Input.AsSpan(0, rows * embd);
            var gate = moe.Gate.AsSpan(0, rows * ff);
            var up = moe.Up.AsSpan(0, rows * ff);
            var down = moe.Down.AsSpan(0, rows * embd);
            ProjectExpert(experts.Gate[e], input, rows, gate);
            ProjectExpert(experts.Up[e], input, rows, up);
            for (var r = 0; r < rows; r++) Activations.SwiGlu(gate.Slice(r * ff, ff), up.Slice(r * ff, ff), gate.Slice(r * ff, ff));
            ProjectExpert(experts.Down[e], gate, rows, down);
            for (var r = 0; r < rows; r++)
            {
                var slot = moe.Slots[r];
                TensorPrimitives.Multiply(down.Slice(r * embd, embd), moe.Weights[slot], slots.Slice(slot * embd, embd));
            }
        }
        for (var t = 0; t < n; t++)
        {
            var branch = xb.Slice(t * embd, embd);
            slots.Slice(t * used * embd, embd).CopyTo(branch);
            for (var j = 1; j < used; j++) TensorPrimitives.Add(branch, slots.Slice((t * used + j) * embd, embd), branch);
        }
    }

    /// <summary>The floor llama.cpp clamps the chosen experts' probability sum to before renormalising (2^-14).</summary>
    private const float MinimumWeightSum = 6.103515625e-5f;

    private void ProjectExpert(in WeightMatrix w, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        if (!SumsDependOnTokenCount(w.Type))
        {
            MatMul.Multiply(_pool, w, input, rows, output);
            return;
        }
        for (var r = 0; r < rows; r++) MatMul.Multiply(_pool, w, input.Slice(r * w.Cols, w.Cols), 1, output.Slice(r * w.Rows, w.Rows));
    }

    /// <summary>The mixture-of-experts buffers, for <see cref="MaxBatch"/> tokens.</summary>
    private sealed class MoeScratch(ModelHyperParameters p)
    {
        public readonly float[] Router = new float[MaxBatch * p.ExpertCount];
        public readonly int[] Choices = new int[MaxBatch * p.ExpertsUsed];
        public readonly float[] Weights = new float[MaxBatch * p.ExpertsUsed];
        public readonly int[] Slots = new int[MaxBatch * p.ExpertsUsed];
        public readonly float[] Input = new float[MaxBatch * p.ExpertsUsed * p.EmbeddingSize];
        public readonly float[] Gate = new float[MaxBatch * p.ExpertsUsed * p.ExpertFeedForwardSize];
        public readonly float[] Up = new float[MaxBatch * p.ExpertsUsed * p.ExpertFeedForwardSize];
        public readonly float[] Down = new float[MaxBatch * p.ExpertsUsed * p.EmbeddingSize];
        public readonly float[] SlotOutputs = new float[MaxBatch * p.ExpertsUsed * p.EmbeddingSize];
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
