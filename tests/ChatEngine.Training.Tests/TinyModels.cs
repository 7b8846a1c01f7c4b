using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Tests;

/// <summary>Random-weight models and matrices in native memory (as a mapped GGUF would give them), freed on dispose.</summary>
internal sealed unsafe class TinyModels : IDisposable
{
    private readonly List<nint> _allocations = [];
    private readonly Random _random;

    public TinyModels(int seed) => _random = new Random(seed);

    public static ModelHyperParameters Parameters(RopeMode mode = RopeMode.Normal, int embd = 16, int heads = 4, int kvHeads = 2,
        int ff = 24, int vocab = 20, int layers = 2) => new()
    {
        Architecture = "llama",
        VocabSize = vocab,
        EmbeddingSize = embd,
        LayerCount = layers,
        HeadCount = heads,
        KvHeadCount = kvHeads,
        HeadSize = embd / heads,
        FeedForwardSize = ff,
        TrainedContextLength = 64,
        RopeDimensions = embd / heads,
        RopeFrequencyBase = 10000,
        RopeFrequencyScale = 1,
        RopeMode = mode,
        RmsNormEpsilon = 1e-5f,
    };

    public float[] Gaussian(int count, float scale) =>
        Enumerable.Range(0, count).Select(_ => scale * (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()))).ToArray();

    public WeightMatrix Matrix(int rows, int cols, float scale, GgmlType type = GgmlType.F32) => Matrix(Gaussian(rows * cols, scale), rows, cols, type);

    public WeightMatrix Matrix(float[] values, int rows, int cols, GgmlType type = GgmlType.F32)
    {
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var data = (byte*)NativeMemory.AlignedAlloc((nuint)(rowBytes * rows), 64);
        _allocations.Add((nint)data);
        for (var r = 0; r < rows; r++)
            QuantFormats.Quantize(type, values.AsSpan(r * cols, cols), new Span<byte>(data + (long)r * rowBytes, rowBytes));
        return new WeightMatrix(type, data, rows, cols);
    }

    public ModelWeights Weights(ModelHyperParameters p, GgmlType type = GgmlType.F32, bool biases = false)
    {
        var embd = p.EmbeddingSize;
        var q = p.HeadCount * p.HeadSize;
        var scale = 1 / MathF.Sqrt(embd);
        float[] Norm() => Gaussian(embd, 0.1f).Select(v => 1 + v).ToArray();
        var layers = Enumerable.Range(0, p.LayerCount).Select(_ => new LayerWeights(
            Norm(),
            Matrix(q, embd, scale, type), Matrix(p.KvSize, embd, scale, type), Matrix(p.KvSize, embd, scale, type),
            biases ? Gaussian(q, 0.1f) : null, biases ? Gaussian(p.KvSize, 0.1f) : null, biases ? Gaussian(p.KvSize, 0.1f) : null,
            Matrix(embd, q, scale, type),
            Norm(),
            Matrix(p.FeedForwardSize, embd, scale, type), Matrix(p.FeedForwardSize, embd, scale, type),
            Matrix(embd, p.FeedForwardSize, 1 / MathF.Sqrt(p.FeedForwardSize), type))).ToArray();
        return new ModelWeights(Matrix(p.VocabSize, embd, 1, type), layers, Norm(), Matrix(p.VocabSize, embd, 2 * scale, type));
    }

    public void Dispose()
    {
        foreach (var pointer in _allocations) NativeMemory.AlignedFree((void*)pointer);
        _allocations.Clear();
    }
}
