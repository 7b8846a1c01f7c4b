using System.Diagnostics;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.Kernels.Tests.MatMul;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Kernels.Tests.Gemm;

/// <summary>
/// Prints the processor time of the row kernel and of the tile kernels over the same outputs (512 rows x 2048 columns,
/// 4 tokens, single thread). Processor time rather than wall time, so that the ratio means something on a machine
/// loaded by other work; run with
/// <c>dotnet test tests/ChatEngine.Kernels.Tests -c Release --filter "FullyQualifiedName~TileSpeed" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed unsafe class TileSpeedBenchmarks(ITestOutputHelper output)
{
    private const int Rows = 512;
    private const int Cols = 2048;
    private const int Tokens = TileKernel.TokenGroup;

    [SimdTheory]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Row_kernel_against_tile_kernels(GgmlType type)
    {
        using var weights = TestWeights.Random(type, Rows, Cols, seed: 1);
        var w = weights.Matrix;
        var x = MatMulTests.Activations(Cols, Tokens, seed: 2);
        var activationRowBytes = VecDot.ActivationRowBytes(type, Cols);
        var activations = new byte[activationRowBytes * Tokens];
        for (var t = 0; t < Tokens; t++)
            VecDot.ConvertActivations(type, x.AsSpan(t * Cols, Cols), activations.AsSpan(t * activationRowBytes, activationRowBytes));
        var tile = TileKernel.For(type) ?? throw new InvalidOperationException($"no tile kernel for {type}");
        var rowKernel = VecDot.Kernel(type);
        var y = new float[Rows * Tokens];
        fixed (byte* pinnedActivations = activations)
        fixed (float* pinnedOutput = y)
        {
            var a = pinnedActivations;
            var o = pinnedOutput;
            var data = w.Data;
            var rowBytes = w.RowBytes;
            var rows = ProcessorMilliseconds(() =>
            {
                for (var t = 0; t < Tokens; t++)
                    for (var r = 0; r < Rows; r++) o[t * Rows + r] = rowKernel(data + (long)r * rowBytes, a + t * activationRowBytes, Cols);
            });
            var one = tile.OneToken == null ? double.NaN : ProcessorMilliseconds(() =>
            {
                for (var t = 0; t < Tokens; t++)
                    for (var r = 0; r < Rows; r += tile.Rows)
                        tile.OneToken(data + (long)r * rowBytes, rowBytes, a + t * activationRowBytes, activationRowBytes, o + t * Rows + r, Rows, Cols);
            });
            var four = tile.FourTokens == null ? double.NaN : ProcessorMilliseconds(() =>
            {
                for (var r = 0; r < Rows; r += tile.Rows)
                    tile.FourTokens(data + (long)r * rowBytes, rowBytes, a, activationRowBytes, o + r, Rows, Cols);
            });
            output.WriteLine($"{type}, {Tokens} tokens x {Rows} rows x {Cols} columns, processor ms: row kernel {rows:F3}, " +
                $"1-token tile {Versus(one, rows)}, 4-token tile {Versus(four, rows)}");
        }
    }

    private static string Versus(double milliseconds, double rowKernel) =>
        double.IsNaN(milliseconds) ? "none" : $"{milliseconds:F3} ({rowKernel / milliseconds:F1}x)";

    /// <summary>Best of 5 rounds of 40 runs, in processor milliseconds per run.</summary>
    private static double ProcessorMilliseconds(Action run)
    {
        run();
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var start = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < 40; i++) run();
            best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - start).TotalMilliseconds / 40);
        }
        return best;
    }
}
