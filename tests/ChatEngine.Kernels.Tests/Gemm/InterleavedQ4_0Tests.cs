using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.Kernels.Tests.MatMul;
using Xunit;

namespace ChatEngine.Kernels.Tests.Gemm;

public sealed unsafe class InterleavedQ4_0Tests
{
    // 3 groups of 8 rows; 9 tokens = 2 groups of 4 and one single token.
    private const int Rows = 24;
    private const int Cols = 512;
    private const int Tokens = 9;

    [SimdFact]
    public void Every_output_is_bitwise_the_row_kernel_output()
    {
        using var weights = TestWeights.Random(GgmlType.Q4_0, Rows, Cols, seed: 60);
        AssertInterleavedEqualsRowKernel(weights.Matrix, MatMulTests.Activations(Cols, Tokens, seed: 61), Tokens);
    }

    [SimdTheory]
    [InlineData(0x00, 1f)]
    [InlineData(0xff, 1f)]
    [InlineData(0xff, -1f)]
    public void Extreme_blocks_do_not_overflow_the_16_bit_sums(byte quants, float activationSign)
    {
        // Nibbles of 0 (weight -8) or 15 (weight 7) against activations that all quantize to +-127: the largest
        // 16-bit partial sums (16 x 15 x 127 before the offset) and integer block sums the kernel can meet.
        var block = new byte[BlockLayout.Q4_0Bytes];
        BitConverter.TryWriteBytes(block, (Half)0.5f);
        block.AsSpan(2).Fill(quants);
        var encoded = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q4_0, Cols) * Rows];
        for (var offset = 0; offset < encoded.Length; offset += block.Length) block.CopyTo(encoded, offset);
        var x = new float[Cols * Tokens];
        for (var i = 0; i < x.Length; i++) x[i] = i / Cols % 2 == 0 ? activationSign : -3f * activationSign;
        fixed (byte* data = encoded) AssertInterleavedEqualsRowKernel(new WeightMatrix(GgmlType.Q4_0, data, Rows, Cols), x, Tokens);
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
        using var weights = TestWeights.Random(GgmlType.Q8_0, Rows, Cols, seed: 63);
        using var interleaved = new InterleavedWeights();
        Assert.True(interleaved.Interleave(weights.Matrix).Interleaved == null);
    }

    private static void AssertInterleavedEqualsRowKernel(in WeightMatrix w, float[] x, int tokens)
    {
        using var interleaved = new InterleavedWeights();
        var packed = interleaved.Interleave(w);
        Assert.True(packed.Interleaved != null, "the matrix was not repacked");
        Assert.Equal((long)w.RowBytes * w.Rows, interleaved.Bytes);
        var y = MatMulTests.Multiply(packed, x, tokens, threads: 2);
        var rowBytes = VecDot.ActivationRowBytes(w.Type, w.Cols);
        var activations = new byte[rowBytes * tokens];
        for (var t = 0; t < tokens; t++) VecDot.ConvertActivations(w.Type, x.AsSpan(t * w.Cols, w.Cols), activations.AsSpan(t * rowBytes, rowBytes));
        var rowKernel = VecDot.Kernel(w.Type, simd: true);
        fixed (byte* a = activations)
            for (var t = 0; t < tokens; t++)
                for (var r = 0; r < w.Rows; r++)
                {
                    var expected = rowKernel(w.Data + (long)r * w.RowBytes, a + t * rowBytes, w.Cols);
                    var actual = y[t * w.Rows + r];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"row {r} token {t}: interleaved {actual:R} vs row kernel {expected:R}");
                }
    }
}
