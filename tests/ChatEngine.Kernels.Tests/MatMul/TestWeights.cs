using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.TestData;

namespace ChatEngine.Kernels.Tests.MatMul;

/// <summary>A weight matrix for the tests: a tensor of a GGUF file, or encoded bytes pinned in memory.</summary>
internal sealed unsafe class TestWeights : IDisposable
{
    private readonly GgufFile? _file;
    private readonly GCHandle _pin;

    private TestWeights(GgufFile file, string tensorName)
    {
        _file = file;
        var info = file.GetTensor(tensorName);
        Matrix = new WeightMatrix(info.Type, file.TensorData(info), checked((int)info.Rows), checked((int)info.Dimensions[0]));
    }

    private TestWeights(GgmlType type, byte[] encoded, int rows, int cols)
    {
        _pin = GCHandle.Alloc(encoded, GCHandleType.Pinned);
        Matrix = new WeightMatrix(type, (byte*)_pin.AddrOfPinnedObject(), rows, cols);
    }

    public WeightMatrix Matrix { get; }

    /// <summary>
    /// A tiny-llama tensor in <paramref name="type"/>: from llama.cpp's quantized file where one exists, otherwise
    /// (Q5_1, Q3_K) encoded by <see cref="TestQuantizers"/> from the F32 file.
    /// </summary>
    public static TestWeights TinyLlama(GgmlType type, string tensorName)
    {
        if (ModelFor(type) is { } model)
        {
            var weights = new TestWeights(GgufFile.Open(TestPaths.Model(model)), tensorName);
            if (weights.Matrix.Type != type)
            {
                weights.Dispose();
                throw new InvalidOperationException($"{model} {tensorName} is not {type}");
            }
            return weights;
        }
        using var f32 = TinyLlama(GgmlType.F32, tensorName);
        var values = new ReadOnlySpan<float>(f32.Matrix.Data, f32.Matrix.Rows * f32.Matrix.Cols);
        var encoded = type switch
        {
            GgmlType.Q5_1 => TestQuantizers.Q5_1(values),
            GgmlType.Q3_K => TestQuantizers.Q3_K(values),
            _ => throw new NotSupportedException(type.ToString()),
        };
        return new TestWeights(type, encoded, f32.Matrix.Rows, f32.Matrix.Cols);
    }

    /// <summary>A tensor of a model file, whatever its type.</summary>
    public static TestWeights FromFile(string model, string tensorName) => new(GgufFile.Open(TestPaths.Model(model)), tensorName);

    /// <summary>Random valid blocks of <paramref name="type"/>.</summary>
    public static TestWeights Random(GgmlType type, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, cols) * rows];
        for (var r = 0; r < rows; r++)
        {
            var row = RandomBlocks.Row(type, cols, random);
            row.CopyTo(bytes, r * row.Length);
        }
        return new TestWeights(type, bytes, rows, cols);
    }

    /// <summary>The tiny-llama file whose blk.* tensors have <paramref name="type"/> (golden/tensor-types.json).</summary>
    private static string? ModelFor(GgmlType type) => type switch
    {
        GgmlType.F32 => "tiny-llama-F32.gguf",
        GgmlType.F16 => "tiny-llama-F16.gguf",
        GgmlType.BF16 => "tiny-llama-BF16.gguf",
        GgmlType.Q8_0 => "tiny-llama-Q8_0.gguf",
        GgmlType.Q4_0 => "tiny-llama-Q4_0.gguf",
        GgmlType.Q4_1 => "tiny-llama-Q4_1.gguf",
        GgmlType.Q5_0 => "tiny-llama-Q5_0.gguf",
        GgmlType.Q2_K => "tiny-llama-Q2_K.gguf",
        GgmlType.Q4_K => "tiny-llama-Q4_K_S.gguf",
        GgmlType.Q5_K => "tiny-llama-Q5_K_S.gguf",
        GgmlType.Q6_K => "tiny-llama-Q6_K.gguf",
        _ => null,
    };

    public void Dispose()
    {
        _file?.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}
