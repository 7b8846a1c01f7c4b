using System.Numerics.Tensors;
using ChatEngine.Runtime.Model;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;

namespace ChatEngine.Training.Layers;

/// <summary>
/// One decoder block with its activations: RMSNorm → q/k/v (+bias) → RoPE → causal GQA attention → output projection
/// → residual; RMSNorm → gate/up → SwiGLU → down → residual. Mirrors Runtime's Transformer, in F32 throughout.
/// </summary>
internal sealed class TransformerBlock
{
    private readonly ModelHyperParameters _p;
    private readonly LayerWeights _w;
    private readonly LoraLinear _query, _key, _value, _output, _gate, _up, _down;
    private readonly CausalAttention _attention;
    private readonly float[] _input, _attentionNormed, _q, _k, _v, _attended, _middle, _feedForwardNormed, _gateOut, _upOut, _activated;

    public TransformerBlock(ModelHyperParameters p, LayerWeights w, int layer, LoraAdapter adapter, int maxTokens)
    {
        if (w.QueryNorm is not null || w.KeyNorm is not null)
            throw new NotSupportedException($"fine-tuning {p.Architecture} (per-head QK-norm) is not supported yet");
        if (Architectures.Find(p.Architecture).HasFusedProjections)
            throw new NotSupportedException($"fine-tuning {p.Architecture} (fused attn_qkv and gate|up matrices) is not supported yet");
        _p = p;
        _w = w;
        LoraLinear Linear(Kernels.WeightMatrix matrix, float[]? bias, LoraTarget target) =>
            new(new FrozenMatrix(matrix), bias, adapter.Find(layer, target), adapter.Scale, adapter.Settings.Dropout, maxTokens);
        _query = Linear(w.Query, w.QueryBias, LoraTarget.Query);
        _key = Linear(w.Key, w.KeyBias, LoraTarget.Key);
        _value = Linear(w.Value, w.ValueBias, LoraTarget.Value);
        _output = Linear(w.AttentionOutput, null, LoraTarget.Output);
        _gate = Linear(w.Gate, null, LoraTarget.Gate);
        _up = Linear(w.Up, null, LoraTarget.Up);
        _down = Linear(w.Down, null, LoraTarget.Down);
        _attention = new CausalAttention(p, maxTokens);
        var embd = p.EmbeddingSize;
        var qSize = p.HeadCount * p.HeadSize;
        _input = new float[maxTokens * embd];
        _attentionNormed = new float[maxTokens * embd];
        _q = new float[maxTokens * qSize];
        _k = new float[maxTokens * p.KvSize];
        _v = new float[maxTokens * p.KvSize];
        _attended = new float[maxTokens * qSize];
        _middle = new float[maxTokens * embd];
        _feedForwardNormed = new float[maxTokens * embd];
        _gateOut = new float[maxTokens * p.FeedForwardSize];
        _upOut = new float[maxTokens * p.FeedForwardSize];
        _activated = new float[maxTokens * p.FeedForwardSize];
    }

    /// <summary>x (tokens x embd) becomes the block's output, in place.</summary>
    public void Forward(float[] x, PackedSequence sequence, RopeTable rope, BlockScratch scratch, Random? dropout, ParallelOptions parallel)
    {
        var n = sequence.Length;
        var embd = _p.EmbeddingSize;
        Array.Copy(x, _input, n * embd);
        RmsNormLayer.Forward(x, n, _w.AttentionNorm, _p.RmsNormEpsilon, _attentionNormed);
        _query.Forward(_attentionNormed, n, _q, dropout, parallel);
        _key.Forward(_attentionNormed, n, _k, dropout, parallel);
        _value.Forward(_attentionNormed, n, _v, dropout, parallel);
        rope.Forward(_q, n, _p.HeadCount, sequence.Positions);
        rope.Forward(_k, n, _p.KvHeadCount, sequence.Positions);
        _attention.Forward(_q, _k, _v, n, sequence.SegmentStarts, _attended, parallel);
        _output.Forward(_attended, n, scratch.Projected, dropout, parallel);
        TensorPrimitives.Add(x.AsSpan(0, n * embd), scratch.Projected.AsSpan(0, n * embd), x.AsSpan(0, n * embd));

        Array.Copy(x, _middle, n * embd);
        RmsNormLayer.Forward(x, n, _w.FeedForwardNorm, _p.RmsNormEpsilon, _feedForwardNormed);
        _gate.Forward(_feedForwardNormed, n, _gateOut, dropout, parallel);
        _up.Forward(_feedForwardNormed, n, _upOut, dropout, parallel);
        SwiGluLayer.Forward(_gateOut, _upOut, n * _p.FeedForwardSize, _activated);
        _down.Forward(_activated, n, scratch.Projected, dropout, parallel);
        TensorPrimitives.Add(x.AsSpan(0, n * embd), scratch.Projected.AsSpan(0, n * embd), x.AsSpan(0, n * embd));
    }

    /// <summary>dx: gradient with respect to the block's output in, with respect to its input out (in place).</summary>
    public void Backward(float[] dx, PackedSequence sequence, RopeTable rope, BlockScratch scratch, ParallelOptions parallel)
    {
        var n = sequence.Length;
        var embd = _p.EmbeddingSize;
        var ff = n * _p.FeedForwardSize;
        Array.Clear(scratch.Activated, 0, ff);
        _down.Backward(dx, n, scratch.Activated, parallel);
        SwiGluLayer.Backward(_gateOut, _upOut, scratch.Activated, ff, scratch.Gate, scratch.Up);
        Array.Clear(scratch.Normed, 0, n * embd);
        _gate.Backward(scratch.Gate, n, scratch.Normed, parallel);
        _up.Backward(scratch.Up, n, scratch.Normed, parallel);
        RmsNormLayer.Backward(_middle, n, _w.FeedForwardNorm, _p.RmsNormEpsilon, scratch.Normed, dx);

        Array.Clear(scratch.Attended, 0, n * _p.HeadCount * _p.HeadSize);
        _output.Backward(dx, n, scratch.Attended, parallel);
        _attention.Backward(_q, _k, _v, _attended, scratch.Attended, n, sequence.SegmentStarts, scratch.Query, scratch.Key, scratch.Value, parallel);
        rope.Backward(scratch.Query, n, _p.HeadCount, sequence.Positions);
        rope.Backward(scratch.Key, n, _p.KvHeadCount, sequence.Positions);
        Array.Clear(scratch.Normed, 0, n * embd);
        _query.Backward(scratch.Query, n, scratch.Normed, parallel);
        _key.Backward(scratch.Key, n, scratch.Normed, parallel);
        _value.Backward(scratch.Value, n, scratch.Normed, parallel);
        RmsNormLayer.Backward(_input, n, _w.AttentionNorm, _p.RmsNormEpsilon, scratch.Normed, dx);
    }
}
