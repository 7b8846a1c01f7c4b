using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Kernels.Benchmarks;

/// <summary>
/// <see cref="MatMul.Multiply"/> of a weight matrix in <see cref="Type"/> with <see cref="Tokens"/> activation rows on
/// <see cref="Threads"/> threads. The weights repeat one quantized band of real-valued rows (speed does not depend on
/// the values); the matrix is larger than the last-level cache where the subclass says so. Types with a repacked layout
/// are repacked first (<see cref="InterleavedWeights"/>), as a loaded model's are.
/// </summary>
public abstract unsafe class MatrixBenchmark : IHasWorkload, IDisposable
{
    private const int BandRows = 64;

    private byte* _weights;
    private ComputePool? _pool;
    private InterleavedWeights? _interleaved;
    private WeightMatrix _matrix;
    private float[] _x = [];
    private float[] _y = [];

    [Params(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K)]
    public GgmlType Type { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    protected abstract int Rows { get; }
    protected abstract int Cols { get; }
    protected abstract int Tokens { get; }

    private long RowBytes => GgmlTypeInfo.RowBytes(Type, Cols);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var band = new float[BandRows * Cols];
        for (var i = 0; i < band.Length; i++) band[i] = (float)(random.NextDouble() * 2 - 1);
        var bandBytes = new byte[BandRows * RowBytes];
        QuantFormats.Quantize(Type, band, bandBytes);
        _weights = (byte*)NativeMemory.AlignedAlloc((nuint)(Rows * RowBytes), 64);
        for (var row = 0; row < Rows; row += BandRows) bandBytes.CopyTo(new Span<byte>(_weights + row * RowBytes, bandBytes.Length));
        _x = new float[Tokens * Cols];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)(random.NextDouble() * 2 - 1);
        _y = new float[Tokens * Rows];
        _pool = new ComputePool(Threads);
        _interleaved = new InterleavedWeights();
        _matrix = _interleaved.Interleave(new WeightMatrix(Type, _weights, Rows, Cols));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        _interleaved?.Dispose();
        NativeMemory.AlignedFree(_weights);
        _weights = null;
    }

    [Benchmark]
    public void Multiply() => MatMul.Multiply(_pool!, _matrix, _x, Tokens, _y);

    public Workload WorkloadOf(string benchmarkMethod) => new(Rows * RowBytes, 2.0 * Rows * Cols * Tokens);
}

/// <summary>Decode: one token, a matrix of 16384 x 4096 (37.7 MB in Q4_0) that does not fit in the last-level cache.</summary>
[BenchmarkCategory("dot")]
public class DotBenchmarks : MatrixBenchmark
{
    protected override int Rows => 16384;
    protected override int Cols => 4096;
    protected override int Tokens => 1;
}

/// <summary>Prefill: 64 tokens (the runtime's batch) through a 4096 x 4096 matrix.</summary>
[BenchmarkCategory("gemm")]
public class GemmBenchmarks : MatrixBenchmark
{
    protected override int Rows => 4096;
    protected override int Cols => 4096;
    protected override int Tokens => 64;
}
