using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.Kernels.Tests.MatMul;
using Xunit;

namespace ChatEngine.Kernels.Tests.Gemm;

public sealed unsafe class RowInterleavingTests
{
    // 3 groups of 8 rows; 9 tokens = 2 groups of 4 and one single token.
    private const int Rows = 24;
    private const int Cols = 512;
    private const int Tokens = 9;

    public static TheoryData<GgmlType> InterleavedTypes() => new(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K);

    [SimdTheory]
    [MemberData(nameof(InterleavedTypes))]
    public void Every_output_is_bitwise_the_row_kernel_output(GgmlType type)
    {
        using var weights = TestWeights.Random(type, Rows, Cols, seed: 60 + (int)type);
        AssertInterleavedEqualsRowKernel(weights.Matrix, MatMulTests.Activations(Cols, Tokens, seed: 61), Tokens);
    }

    [SimdTheory]
    [InlineData(GgmlType.Q4_0, 0x00, 1f)]
    [InlineData(GgmlType.Q4_0, 0xff, 1f)]
    [InlineData(GgmlType.Q4_0, 0xff, -1f)]
    [InlineData(GgmlType.Q8_0, 0x81, 1f)]
    [InlineData(GgmlType.Q8_0, 0x7f, -1f)]
    [InlineData(GgmlType.Q4_K, 0xff, 1f)]
    [InlineData(GgmlType.Q4_K, 0xff, -1f)]
    public void Extreme_blocks_do_not_overflow_the_integer_sums(GgmlType type, byte quants, float activationSign)
    {
        // Weights at the type's largest magnitudes (Q4_0 nibbles 0 or 15, Q8_0 -127 or 127, Q4_K nibbles 15 with 6-bit
        // scales and mins of 63) against activations that all quantize to +-127: the largest 16-bit partial sums and
        // integer block sums the kernels can meet.
        var block = new byte[GgmlTypeInfo.BlockBytes(type)];
        BitConverter.TryWriteBytes(block, (Half)0.5f);
        if (type == GgmlType.Q4_K) BitConverter.TryWriteBytes(block.AsSpan(2), (Half)0.25f);
        block.AsSpan(type == GgmlType.Q4_K ? 4 : 2).Fill(quants);
        var encoded = new byte[GgmlTypeInfo.RowBytes(type, Cols) * Rows];
        for (var offset = 0; offset < encoded.Length; offset += block.Length) block.CopyTo(encoded, offset);
        var x = new float[Cols * Tokens];
        for (var i = 0; i < x.Length; i++) x[i] = i / Cols % 2 == 0 ? activationSign : -3f * activationSign;
        fixed (byte* data = encoded) AssertInterleavedEqualsRowKernel(new WeightMatrix(type, data, Rows, Cols), x, Tokens);
    }

    [SimdFact]
    public void Every_source_byte_is_reported_copied_once()
    {
        // 16 MiB of rows: two or more slices, copied in parallel.
        const int rows = 2048, cols = 8192;
        using var weights = TestWeights.Random(GgmlType.Q4_0, rows, cols, seed: 66);
        var w = weights.Matrix;
        var slices = new System.Collections.Concurrent.ConcurrentBag<(nint Start, long Length)>();
        using var interleaved = new InterleavedWeights();
        interleaved.Interleave(w, (start, length) => slices.Add((start, length)));
        Assert.True(slices.Count > 1, $"{slices.Count} slice");
        var next = (nint)w.Data;
        foreach (var (start, length) in slices.OrderBy(s => s.Start))
        {
            Assert.Equal(next, start);
            next += (nint)length;
        }
        Assert.Equal((nint)(w.Data + (long)w.RowBytes * w.Rows), next);
        AssertInterleavedEqualsRowKernel(w, MatMulTests.Activations(cols, 1, seed: 67), 1);
    }

    [Fact]
    public void Only_whole_groups_of_8_rows_are_repacked()
    {
        using var weights = TestWeights.Random(GgmlType.Q4_0, 20, Cols, seed: 62);
        using var interleaved = new InterleavedWeights();
        Assert.True(interleaved.Interleave(weights.Matrix).Interleaved == null);
        Assert.Equal(0, interleaved.Bytes);
    }

    [Fact]
    public void Other_types_keep_the_file_layout()
    {
        using var weights = TestWeights.Random(GgmlType.Q6_K, Rows, 1024, seed: 63);
        using var interleaved = new InterleavedWeights();
        Assert.True(interleaved.Interleave(weights.Matrix).Interleaved == null);
    }

    private static float[] InterleavedProduct(in WeightMatrix w, float[] x, int tokens)
    {
        using var interleaved = new InterleavedWeights();
        var packed = interleaved.Interleave(w);
        Assert.True(packed.Interleaved != null, "the matrix was not repacked");
        Assert.Equal(w.Type == GgmlType.Q4_K ? (long)w.Rows / 8 * (w.Cols / 256) * 1184 : (long)w.RowBytes * w.Rows, interleaved.Bytes);
        return MatMulTests.Multiply(packed, x, tokens, threads: 2);
    }

    private static void AssertInterleavedEqualsRowKernel(in WeightMatrix w, float[] x, int tokens)
    {
        var y = InterleavedProduct(w, x, tokens);
        var (activations, rowBytes) = Convert(w.Type, x, tokens);
        var rowKernel = VecDot.Kernel(w.Type, KernelPath.Avx2);
        fixed (byte* a = activations)
            for (var t = 0; t < tokens; t++)
                for (var r = 0; r < w.Rows; r++)
                    AssertBitwise(rowKernel(w.Data + (long)r * w.RowBytes, a + t * rowBytes, w.Cols), y[t * w.Rows + r], r, t);
    }

    /// <summary>The activation rows as the weight type's kernels take them (Q8_0, or Q8_K for Q4_K).</summary>
    private static (byte[] Activations, int RowBytes) Convert(GgmlType type, float[] x, int tokens)
    {
        var cols = x.Length / tokens;
        var rowBytes = VecDot.ActivationRowBytes(type, cols);
        var activations = new byte[rowBytes * tokens];
        for (var t = 0; t < tokens; t++) VecDot.ConvertActivations(type, x.AsSpan(t * cols, cols), activations.AsSpan(t * rowBytes, rowBytes));
        return (activations, rowBytes);
    }

    private static void AssertBitwise(float expected, float actual, int row, int token) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"row {row} token {token}: interleaved {actual:R} vs row kernel {expected:R}");
}
