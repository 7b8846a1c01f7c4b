using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;
using ChatEngine.Kernels.Quants;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.Kernels.Tests.MatMul;
using Xunit;

namespace ChatEngine.Kernels.Tests.Gemm;

public sealed unsafe class FloatTileTests
{
    // Two row blocks of 16 and 6 (tiles of 4 rows and 2 leftover rows); 5 tokens = 2 pairs and one single token.
    private const int Rows = 22;
    private const int Cols = 256;
    private const int Tokens = 5;

    public static TheoryData<GgmlType> FloatTypes() => new(GgmlType.F32, GgmlType.F16, GgmlType.BF16);

    [SimdTheory]
    [MemberData(nameof(FloatTypes))]
    public void Every_batch_output_is_bitwise_tinyblas_order_on_the_rows_as_f32(GgmlType type)
    {
        using var weights = TestWeights.Random(type, Rows, Cols, seed: 70 + (int)type);
        var w = weights.Matrix;
        var x = MatMulTests.Activations(Cols, Tokens, seed: 71);
        var y = MatMulTests.Multiply(w, x, Tokens, threads: 2);
        var rowBytes = VecDot.ActivationRowBytes(type, Cols);
        var activations = new byte[rowBytes * Tokens];
        for (var t = 0; t < Tokens; t++) VecDot.ConvertActivations(type, x.AsSpan(t * Cols, Cols), activations.AsSpan(t * rowBytes, rowBytes));
        Assert.True(FloatTile.Serves(type, Cols));
        // tinyBLAS's order: F32Batch of each weight row as F32 (F16 and BF16 convert exactly).
        var rowsAsF32 = new float[Rows * Cols];
        for (var r = 0; r < Rows; r++) QuantFormats.Dequantize(type, w.Row(r), rowsAsF32.AsSpan(r * Cols, Cols));
        fixed (float* weightsAsF32 = rowsAsF32)
        fixed (byte* a = activations)
            for (var t = 0; t < Tokens; t++)
                for (var r = 0; r < Rows; r++)
                {
                    var expected = FloatDot.F32Batch((byte*)(weightsAsF32 + r * Cols), a + t * rowBytes, Cols);
                    var actual = y[t * Rows + r];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{type} row {r} token {t}: tile {actual:R} vs reference {expected:R}");
                }
    }
}
