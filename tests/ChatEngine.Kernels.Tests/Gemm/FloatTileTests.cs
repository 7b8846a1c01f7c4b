using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
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
    public void Every_batch_output_is_bitwise_the_batch_kernel_output(GgmlType type)
    {
        using var weights = TestWeights.Random(type, Rows, Cols, seed: 70 + (int)type);
        var w = weights.Matrix;
        var x = MatMulTests.Activations(Cols, Tokens, seed: 71);
        var y = MatMulTests.Multiply(w, x, Tokens, threads: 2);
        var rowBytes = VecDot.ActivationRowBytes(type, Cols);
        var activations = new byte[rowBytes * Tokens];
        for (var t = 0; t < Tokens; t++) VecDot.ConvertActivations(type, x.AsSpan(t * Cols, Cols), activations.AsSpan(t * rowBytes, rowBytes));
        var batchKernel = VecDot.BatchKernel(type, Cols);
        Assert.True(batchKernel != null);
        fixed (byte* a = activations)
            for (var t = 0; t < Tokens; t++)
                for (var r = 0; r < Rows; r++)
                {
                    var expected = batchKernel(w.Data + (long)r * w.RowBytes, a + t * rowBytes, Cols);
                    var actual = y[t * Rows + r];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{type} row {r} token {t}: tile {actual:R} vs batch kernel {expected:R}");
                }
    }
}
