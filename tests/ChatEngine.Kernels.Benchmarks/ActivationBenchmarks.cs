using BenchmarkDotNet.Attributes;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;

namespace ChatEngine.Kernels.Benchmarks;

/// <summary>Conversion of 64 activation rows of 4096 floats to the type the weights of <see cref="WeightType"/> multiply
/// with (Q4_0 -> Q8_0, Q4_K -> Q8_K, F16 -> F16-rounded floats).</summary>
[BenchmarkCategory("quantize")]
public class ActivationBenchmarks : IHasWorkload
{
    private const int Cols = 4096;
    private const int Tokens = 64;

    private float[] _x = [];
    private byte[] _converted = [];

    [Params(GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.F16)]
    public GgmlType WeightType { get; set; }

    private int ConvertedRowBytes => VecDot.ActivationRowBytes(WeightType, Cols);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        _x = new float[Tokens * Cols];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)(random.NextDouble() * 2 - 1);
        _converted = new byte[Tokens * ConvertedRowBytes];
    }

    [Benchmark]
    public void Convert()
    {
        for (var t = 0; t < Tokens; t++)
            VecDot.ConvertActivations(WeightType, _x.AsSpan(t * Cols, Cols), _converted.AsSpan(t * ConvertedRowBytes, ConvertedRowBytes));
    }

    public Workload WorkloadOf(string benchmarkMethod) => new(Tokens * (Cols * sizeof(float) + ConvertedRowBytes), 0);
}
