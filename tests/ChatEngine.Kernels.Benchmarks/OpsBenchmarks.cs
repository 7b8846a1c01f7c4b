using BenchmarkDotNet.Attributes;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Kernels.Benchmarks;

/// <summary>The element-wise and row operations of a forward pass on rows of 8192 floats (RoPE: 64 heads of 128).</summary>
[BenchmarkCategory("ops")]
public class OpsBenchmarks : IHasWorkload
{
    private const int Count = 8192;
    private const int HeadSize = 128;

    private readonly float[] _a = new float[Count];
    private readonly float[] _b = new float[Count];
    private readonly float[] _output = new float[Count];
    private readonly float[] _cos = new float[HeadSize / 2];
    private readonly float[] _sin = new float[HeadSize / 2];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        for (var i = 0; i < Count; i++) (_a[i], _b[i]) = ((float)random.NextDouble() * 2 - 1, (float)random.NextDouble() * 2 - 1);
        Rope.ComputeAngles(1000, HeadSize, 10000f, 1f, _cos, _sin);
    }

    [Benchmark]
    public void RmsNormApply() => RmsNorm.Apply(_a, _b, 1e-5f, _output);

    [Benchmark]
    public void SoftmaxApply()
    {
        _a.CopyTo(_output, 0);
        Softmax.Apply(_output);
    }

    [Benchmark]
    public void RopeRotate()
    {
        for (var head = 0; head < Count / HeadSize; head++) Rope.Rotate(_output.AsSpan(head * HeadSize, HeadSize), _cos, _sin, RopeMode.Normal);
    }

    [Benchmark]
    public void SwiGlu() => Activations.SwiGlu(_a, _b, _output);

    /// <summary>Bytes: the float arrays read and written once. Operations: a rough per-element count (RMSNorm: square-add,
    /// scale, weight = 4; softmax: max, exp ~ 10, sum, scale ~ 13; RoPE: 2 multiply-adds per pair = 4 per element;
    /// SwiGLU: exp ~ 10, divide, two multiplies ~ 13).</summary>
    public Workload WorkloadOf(string benchmarkMethod) => benchmarkMethod switch
    {
        nameof(RmsNormApply) => new(3.0 * Count * sizeof(float), 4.0 * Count),
        nameof(SoftmaxApply) => new(3.0 * Count * sizeof(float), 13.0 * Count),
        nameof(RopeRotate) => new(2.0 * Count * sizeof(float), 4.0 * Count),
        _ => new(3.0 * Count * sizeof(float), 13.0 * Count),
    };
}
