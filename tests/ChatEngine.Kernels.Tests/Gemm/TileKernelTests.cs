using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.Kernels.Tests.MatMul;
using Xunit;

namespace ChatEngine.Kernels.Tests.Gemm;

public sealed unsafe class TileKernelTests
{
    // 3 tiles of 8 rows (7 of 4) and leftover rows for the row kernel; 9 tokens = 2 groups of 4 and one single token.
    private const int Rows = 29;
    private const int Tokens = 9;

    public static TheoryData<GgmlType> TiledTypes() => new(GgmlType.Q4_K, GgmlType.Q6_K);

    [SimdTheory]
    [MemberData(nameof(TiledTypes))]
    public void Every_tile_output_is_bitwise_the_row_kernel_output(GgmlType type)
    {
        var tile = TileKernel.For(type) ?? throw new InvalidOperationException($"no tile kernel for {type}");
        using var weights = TestWeights.Random(type, Rows, Cols(type), seed: 40 + (int)type);
        var activations = Convert(type, MatMulTests.Activations(Cols(type), Tokens, seed: 41), Tokens);
        AssertTilesEqualRowKernel(tile, weights.Matrix, activations);
    }

    [SimdTheory]
    [MemberData(nameof(TiledTypes))]
    public void Extreme_blocks_do_not_overflow_the_integer_sums(GgmlType type)
    {
        var tile = TileKernel.For(type) ?? throw new InvalidOperationException($"no tile kernel for {type}");
        var cols = Cols(type);
        // Every weight at the type's largest magnitude against activations that all quantize to +127 or -127: the
        // largest integer block sums the kernels can meet.
        var block = ExtremeBlock(type);
        var encoded = new byte[GgmlTypeInfo.RowBytes(type, cols) * tile.Rows];
        for (var offset = 0; offset < encoded.Length; offset += block.Length) block.CopyTo(encoded, offset);
        var x = new float[cols * TileKernel.TokenGroup];
        for (var i = 0; i < x.Length; i++) x[i] = i / cols % 2 == 0 ? 1f : -3f;
        fixed (byte* data = encoded)
        {
            var w = new WeightMatrix(type, data, tile.Rows, cols);
            AssertTilesEqualRowKernel(tile, w, Convert(type, x, TileKernel.TokenGroup));
        }
    }

    [Theory]
    [MemberData(nameof(TiledTypes))]
    public void Matrix_product_with_leftover_rows_and_tokens_equals_the_row_kernel(GgmlType type)
    {
        using var weights = TestWeights.Random(type, Rows, Cols(type), seed: 50 + (int)type);
        var w = weights.Matrix;
        var x = MatMulTests.Activations(w.Cols, Tokens, seed: 51);
        var y = MatMulTests.Multiply(w, x, Tokens, threads: 2);
        var activations = Convert(type, x, Tokens);
        var rowBytes = activations.Length / Tokens;
        fixed (byte* a = activations)
            for (var t = 0; t < Tokens; t++)
                for (var r = 0; r < Rows; r++)
                    Assert.Equal(VecDot.Kernel(type)(w.Data + (long)r * w.RowBytes, a + t * rowBytes, w.Cols), y[t * Rows + r]);
    }

    /// <summary>One block whose quants all have the type's largest magnitude, scale 0.5.</summary>
    private static byte[] ExtremeBlock(GgmlType type)
    {
        var block = new byte[GgmlTypeInfo.BlockBytes(type)];
        BitConverter.TryWriteBytes(block, (Half)0.5f);
        switch (type)
        {
            case GgmlType.Q4_K: block.AsSpan(4).Fill(0xff); break; // 6-bit scales and mins of 63, nibbles of 15
            case GgmlType.Q6_K: // 6-bit quants of 0 (value -32, the largest magnitude), int8 scales of -128, d last
                block.AsSpan(0, 192).Clear();
                block.AsSpan(192, 16).Fill(0x80);
                BitConverter.TryWriteBytes(block.AsSpan(208), (Half)0.5f);
                break;
            default: throw new NotSupportedException(type.ToString());
        }
        return block;
    }

    private static int Cols(GgmlType type) => GgmlTypeInfo.BlockSize(type) == 256 ? 1024 : 512;

    private static byte[] Convert(GgmlType type, float[] x, int tokens)
    {
        var cols = x.Length / tokens;
        var rowBytes = VecDot.ActivationRowBytes(type, cols);
        var converted = new byte[rowBytes * tokens];
        for (var t = 0; t < tokens; t++) VecDot.ConvertActivations(type, x.AsSpan(t * cols, cols), converted.AsSpan(t * rowBytes, rowBytes));
        return converted;
    }

    private static void AssertTilesEqualRowKernel(TileKernel tile, in WeightMatrix w, byte[] activations)
    {
        var tokens = activations.Length / VecDot.ActivationRowBytes(w.Type, w.Cols);
        var activationRowBytes = activations.Length / tokens;
        var rowKernel = VecDot.Kernel(w.Type, KernelPath.Avx2);
        var output = new float[tokens * tile.Rows];
        fixed (byte* a = activations)
        fixed (float* y = output)
        {
            for (var row = 0; row + tile.Rows <= w.Rows; row += tile.Rows)
            {
                var weights = w.Data + (long)row * w.RowBytes;
                var t = 0;
                if (tile.FourTokens != null)
                    for (; t + TileKernel.TokenGroup <= tokens; t += TileKernel.TokenGroup)
                        tile.FourTokens(weights, w.RowBytes, a + t * activationRowBytes, activationRowBytes, y + t * tile.Rows, tile.Rows, w.Cols);
                if (tile.OneToken != null)
                    for (; t < tokens; t++)
                        tile.OneToken(weights, w.RowBytes, a + t * activationRowBytes, activationRowBytes, y + t * tile.Rows, tile.Rows, w.Cols);
                var computed = t;
                Assert.True(computed > 0, $"{w.Type}: the tile computed no token");
                for (t = 0; t < computed; t++)
                    for (var r = 0; r < tile.Rows; r++)
                    {
                        var expected = rowKernel(weights + (long)r * w.RowBytes, a + t * activationRowBytes, w.Cols);
                        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(output[t * tile.Rows + r]),
                            $"{w.Type} row {row + r} token {t}: tile {output[t * tile.Rows + r]:R} vs row kernel {expected:R}");
                    }
            }
        }
    }
}
