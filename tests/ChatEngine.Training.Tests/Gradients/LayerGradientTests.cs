using ChatEngine.Gguf;
using ChatEngine.Kernels.Ops;
using ChatEngine.Training.Data;
using ChatEngine.Training.Layers;
using ChatEngine.Training.Lora;
using Xunit;

namespace ChatEngine.Training.Tests.Gradients;

/// <summary>Finite-difference checks of every layer's backward pass on tiny shapes.</summary>
public sealed class LayerGradientTests
{
    private static readonly ParallelOptions Serial = new() { MaxDegreeOfParallelism = 1 };
    private static readonly ParallelOptions Parallel4 = new() { MaxDegreeOfParallelism = 4 };

    [Fact]
    public void RmsNorm()
    {
        using var tiny = new TinyModels(1);
        const int tokens = 3, n = 8;
        var x = tiny.Gaussian(tokens * n, 1.5f);
        var weight = tiny.Gaussian(n, 0.3f).Select(v => 1 + v).ToArray();
        var c = tiny.Gaussian(tokens * n, 1);
        var y = new float[tokens * n];
        double Loss()
        {
            RmsNormLayer.Forward(x, tokens, weight, 1e-5f, y);
            return GradientCheck.Project(y, c, y.Length);
        }
        var dx = new float[tokens * n];
        RmsNormLayer.Backward(x, tokens, weight, 1e-5f, c, dx);
        GradientCheck.Verify("x", x, dx, Loss);
    }

    [Theory]
    [InlineData(RopeMode.Normal)]
    [InlineData(RopeMode.NeoX)]
    public void Rope(RopeMode mode)
    {
        using var tiny = new TinyModels(2);
        var p = TinyModels.Parameters(mode, embd: 16, heads: 2) with { RopeDimensions = 6 };
        const int tokens = 4;
        var positions = new[] { 0, 1, 5, 2 };
        var table = new RopeTable(p, frequencyFactors: null, 8);
        var x = tiny.Gaussian(tokens * 16, 1);
        var c = tiny.Gaussian(tokens * 16, 1);
        var y = new float[x.Length];
        double Loss()
        {
            Array.Copy(x, y, x.Length);
            table.Forward(y, tokens, 2, positions);
            return GradientCheck.Project(y, c, y.Length);
        }
        var dx = (float[])c.Clone();
        table.Backward(dx, tokens, 2, positions);
        GradientCheck.Verify("x", x, dx, Loss);
    }

    [Fact]
    public void SwiGlu()
    {
        using var tiny = new TinyModels(3);
        const int count = 20;
        var gate = tiny.Gaussian(count, 2);
        var up = tiny.Gaussian(count, 1);
        var c = tiny.Gaussian(count, 1);
        var h = new float[count];
        double Loss()
        {
            SwiGluLayer.Forward(gate, up, count, h);
            return GradientCheck.Project(h, c, count);
        }
        var dGate = new float[count];
        var dUp = new float[count];
        SwiGluLayer.Backward(gate, up, c, count, dGate, dUp);
        GradientCheck.Verify("gate", gate, dGate, Loss);
        GradientCheck.Verify("up", up, dUp, Loss);
    }

    [Fact]
    public void CausalAttentionWithGroupedHeadsAndPackedDocuments()
    {
        using var tiny = new TinyModels(4);
        var p = TinyModels.Parameters(embd: 16, heads: 4, kvHeads: 2);
        var sequence = new PackedSequence([Example(3), Example(4)]);
        var tokens = sequence.Length;
        var (q, k, v) = RandomQkv(tiny, p, tokens);
        var c = tiny.Gaussian(tokens * 16, 1);
        var attention = new CausalAttention(p, tokens);
        var output = new float[tokens * 16];
        double Loss()
        {
            attention.Forward(q, k, v, tokens, sequence.SegmentStarts, output, Serial);
            return GradientCheck.Project(output, c, output.Length);
        }
        Loss();
        var dq = new float[q.Length];
        var dk = new float[k.Length];
        var dv = new float[v.Length];
        attention.Backward(q, k, v, output, c, tokens, sequence.SegmentStarts, dq, dk, dv, Parallel4);
        GradientCheck.Verify("q", q, dq, Loss);
        GradientCheck.Verify("k", k, dk, Loss);
        GradientCheck.Verify("v", v, dv, Loss);
    }

    [Fact]
    public void PackedDocumentsDoNotSeeEachOther()
    {
        using var tiny = new TinyModels(5);
        var p = TinyModels.Parameters(embd: 16, heads: 4, kvHeads: 2);
        var packed = new PackedSequence([Example(3), Example(4)]);
        var (q, k, v) = RandomQkv(tiny, p, 7);
        var together = new float[7 * 16];
        new CausalAttention(p, 7).Forward(q, k, v, 7, packed.SegmentStarts, together, Serial);
        var alone = new float[4 * 16];
        var second = new PackedSequence([Example(4)]);
        new CausalAttention(p, 4).Forward(q[(3 * 16)..], k[(3 * p.KvSize)..], v[(3 * p.KvSize)..], 4, second.SegmentStarts, alone, Serial);
        Assert.Equal(alone, together[(3 * 16)..]);
    }

    [Theory]
    [InlineData(GgmlType.F32, 0f)]
    [InlineData(GgmlType.F32, 0.3f)]
    [InlineData(GgmlType.Q8_0, 0f)]
    [InlineData(GgmlType.Q4_K, 0f)]
    public void LoraLinearOnAFrozenMatrix(GgmlType type, float dropout)
    {
        using var tiny = new TinyModels(6);
        const int tokens = 3, inputs = 256, outputs = 5, rank = 2;
        var weight = new FrozenMatrix(tiny.Matrix(outputs, inputs, 0.1f, type));
        var bias = tiny.Gaussian(outputs, 0.5f);
        var pair = new LoraPair(0, LoraTarget.Up, inputs, outputs, rank);
        tiny.Gaussian(pair.A.Length, 0.2f).CopyTo(pair.A, 0);
        tiny.Gaussian(pair.B.Length, 0.2f).CopyTo(pair.B, 0);
        var linear = new LoraLinear(weight, bias, pair, 1.5f, dropout, tokens);
        var x = tiny.Gaussian(tokens * inputs, 1);
        var c = tiny.Gaussian(tokens * outputs, 1);
        var y = new float[tokens * outputs];
        double Loss()
        {
            linear.Forward(x, tokens, y, new Random(9), Parallel4);
            return GradientCheck.Project(y, c, y.Length);
        }
        Loss();
        var dx = new float[x.Length];
        linear.Backward(c, tokens, dx, Serial);
        var sample = Enumerable.Range(0, 40).Select(i => i * 19 % x.Length).ToArray();
        GradientCheck.Verify("x", x, dx, Loss, sample);
        GradientCheck.Verify("A", pair.A, pair.GradA, Loss, Enumerable.Range(0, 40).Select(i => i * 13 % pair.A.Length));
        GradientCheck.Verify("B", pair.B, pair.GradB, Loss);
    }

    [Fact]
    public void OutputHeadCrossEntropy()
    {
        using var tiny = new TinyModels(7);
        var p = TinyModels.Parameters();
        var weights = tiny.Weights(p);
        var head = new OutputHead(p, weights, 5);
        var x = tiny.Gaussian(5 * p.EmbeddingSize, 1);
        int[] targets = [3, -1, 7, 19, -1];
        double Loss() => head.Loss(x, targets, 5, 0, null, Serial);
        var dx = new float[x.Length];
        head.Loss(x, targets, 5, 1, dx, Serial);
        GradientCheck.Verify("x", x, dx, Loss);
    }

    private static (float[] Q, float[] K, float[] V) RandomQkv(TinyModels tiny, Runtime.Model.ModelHyperParameters p, int tokens) =>
        (tiny.Gaussian(tokens * p.HeadCount * p.HeadSize, 1), tiny.Gaussian(tokens * p.KvSize, 1), tiny.Gaussian(tokens * p.KvSize, 1));

    internal static TrainingExample Example(int length) =>
        new(0, Enumerable.Range(1, length).ToArray(), Enumerable.Repeat(true, length).ToArray());
}
