using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Tests.Dot;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Kernels.Tests.MatMul;

public sealed class MatMulTests
{
    private const int Tokens = 4;

    // 200 rows: not a multiple of the 16-row blocks nor of the per-thread chunks.
    private const int RandomRows = 200;
    private const int RandomCols = 512;

    public static TheoryData<GgmlType> Types() => new(RandomBlocks.WeightTypes);

    [SharedTheory]
    [MemberData(nameof(Types))]
    public void Every_output_equals_the_float64_dot_of_the_decoded_weight_and_activation_blocks(GgmlType type)
    {
        foreach (var tensor in new[] { "blk.0.ffn_up.weight", "blk.0.ffn_down.weight" })
        {
            using var weights = TestWeights.TinyLlama(type, tensor);
            AssertEqualsDecodedBlocks(weights.Matrix, tensor);
        }
    }

    [Theory]
    [InlineData("tiny-llama-Q8_0.gguf", "blk.1.attn_q.weight")]
    [InlineData("tiny-llama-Q4_K_M.gguf", "blk.0.ffn_up.weight")]
    [InlineData("tiny-llama-Q4_K_M.gguf", "output.weight")]
    [InlineData("stories260K.gguf", "blk.0.ffn_down.weight")]
    public void Bundled_llama_cpp_tensors_give_the_float64_dot_of_their_decoded_blocks(string model, string tensor)
    {
        using var weights = TestWeights.FromFile(model, tensor);
        AssertEqualsDecodedBlocks(weights.Matrix, $"{model} {tensor}");
    }

    private static void AssertEqualsDecodedBlocks(in WeightMatrix w, string what)
    {
        var x = Activations(w.Cols, Tokens, seed: 5);
        var y = Multiply(w, x, Tokens, threads: 2);
        var converted = new byte[VecDot.ActivationRowBytes(w.Type, w.Cols)];
        for (var t = 0; t < Tokens; t++)
        {
            VecDot.ConvertActivations(w.Type, x.AsSpan(t * w.Cols, w.Cols), converted);
            for (var r = 0; r < w.Rows; r++)
            {
                var (expected, magnitude) = ReferenceBlocks.Dot(w.Type, w.Row(r), converted, w.Cols);
                var actual = y[t * w.Rows + r];
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude,
                    $"{w.Type} {what} token {t} row {r}: {actual} vs float64 {expected} (|w.a| {magnitude})");
            }
        }
    }

    /// <summary>
    /// Relative RMS error of y = W_type x against the exact float64 product of the F32 tensor, for x ~ N(0, 1).
    /// Element errors are independent, so the product keeps the weights' relative RMS quantization error, plus the
    /// activations' (Q8_0 / Q8_K: ~0.4%). Per element that error is step / sqrt(12) over the weights' RMS, with
    /// step = block amax / levels and the amax of 32 Gaussian values ~2.1 sigma: F16 ~2.8e-4 (11-bit mantissa, weights
    /// and activations); BF16 ~2e-3 (8-bit); Q8_0 ~0.7%; Q6_K ~1.5-2%; Q5_* ~3.5-4.5%; Q4_* ~7-9%; Q3_K ~18% (the
    /// tests' own round-to-nearest encoder); Q2_K ~30%. Each bound is ~1.4x that estimate (which is also what
    /// llama.cpp's files give here); a wrong block layout gives errors of order 100%.
    /// </summary>
    [SharedTheory]
    [InlineData(GgmlType.F32, 1e-6)]
    [InlineData(GgmlType.F16, 5e-4)]
    [InlineData(GgmlType.BF16, 3.5e-3)]
    [InlineData(GgmlType.Q8_0, 0.011)]
    [InlineData(GgmlType.Q6_K, 0.028)]
    [InlineData(GgmlType.Q5_0, 0.065)]
    [InlineData(GgmlType.Q5_1, 0.055)]
    [InlineData(GgmlType.Q5_K, 0.055)]
    [InlineData(GgmlType.Q4_0, 0.125)]
    [InlineData(GgmlType.Q4_1, 0.115)]
    [InlineData(GgmlType.Q4_K, 0.105)]
    [InlineData(GgmlType.Q3_K, 0.27)]
    [InlineData(GgmlType.Q2_K, 0.42)]
    public void Product_is_the_F32_product_within_the_quantization_error_of_the_type(GgmlType type, double bound)
    {
        foreach (var tensor in new[] { "blk.0.ffn_up.weight", "blk.0.ffn_down.weight" })
        {
            using var f32 = TestWeights.TinyLlama(GgmlType.F32, tensor);
            using var quantized = TestWeights.TinyLlama(type, tensor);
            var x = Activations(f32.Matrix.Cols, Tokens, seed: 9);
            var exact = ExactProduct(f32.Matrix, x, Tokens);
            var y = Multiply(quantized.Matrix, x, Tokens, threads: 2);
            double error = 0, norm = 0;
            for (var i = 0; i < y.Length; i++)
            {
                error += (y[i] - exact[i]) * (y[i] - exact[i]);
                norm += exact[i] * exact[i];
            }
            var relative = Math.Sqrt(error / norm);
            Assert.True(relative <= bound, $"{type} {tensor}: relative RMS error {relative:E3} exceeds {bound:E3}");
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Multi_threaded_result_is_bitwise_the_single_threaded_one(GgmlType type)
    {
        using var weights = TestWeights.Random(type, RandomRows, RandomCols, seed: (int)type);
        var w = weights.Matrix;
        var x = Activations(w.Cols, 3, seed: 21);
        var single = Multiply(w, x, 3, threads: 1);
        Assert.Equal(single, Multiply(w, x, 3, threads: 2));
        Assert.Equal(single, Multiply(w, x, 3, threads: 3));
        var decode = Multiply(w, x, 1, threads: 1);
        Assert.Equal(decode, Multiply(w, x, 1, threads: 3));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void A_batch_of_tokens_gives_the_results_of_one_call_per_token(GgmlType type)
    {
        const int tokens = 7;
        using var weights = TestWeights.Random(type, RandomRows, RandomCols, seed: (int)type);
        var w = weights.Matrix;
        var x = Activations(w.Cols, tokens, seed: 33);
        var batch = Multiply(w, x, tokens, threads: 2);
        // Like llama.cpp (tinyBLAS for batches, vec_dot for one token), float weights sum a batch in another order;
        // quantized weights use one order for both, so their results are bitwise equal.
        var bitwise = type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16);
        for (var t = 0; t < tokens; t++)
        {
            var one = Multiply(w, x.AsSpan(t * w.Cols, w.Cols).ToArray(), 1, threads: 2);
            var fromBatch = batch.AsSpan(t * w.Rows, w.Rows).ToArray();
            if (bitwise) Assert.Equal(one, fromBatch);
            else
                for (var r = 0; r < w.Rows; r++)
                    Assert.True(Math.Abs(one[r] - fromBatch[r]) <= 1e-5f * (1 + Math.Abs(one[r])), $"row {r}: {fromBatch[r]} vs {one[r]}");
        }
    }

    [Fact]
    public void Steady_state_multiplies_allocate_nothing()
    {
        using var weights = TestWeights.TinyLlama(GgmlType.Q8_0, "blk.0.ffn_up.weight");
        var w = weights.Matrix;
        using var pool = new ComputePool(2);
        var x = Activations(w.Cols, Tokens, seed: 1);
        var y = new float[Tokens * w.Rows];
        for (var i = 0; i < 3; i++)
        {
            ChatEngine.Kernels.MatMul.Multiply(pool, w, x, Tokens, y);
            ChatEngine.Kernels.MatMul.Multiply(pool, w, x, 1, y);
        }
        Assert.Equal(0, AllocationProbe.QuietestRound(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                ChatEngine.Kernels.MatMul.Multiply(pool, w, x, Tokens, y);
                ChatEngine.Kernels.MatMul.Multiply(pool, w, x, 1, y);
            }
        }));
    }

    [Fact]
    public void Bad_arguments_throw_typed_exceptions_naming_the_problem()
    {
        using var weights = TestWeights.TinyLlama(GgmlType.Q8_0, "blk.0.ffn_up.weight");
        var w = weights.Matrix;
        using var pool = new ComputePool(1);
        var x = new float[2 * w.Cols];
        var y = new float[2 * w.Rows];
        var input = Assert.Throws<ArgumentException>(() => ChatEngine.Kernels.MatMul.Multiply(pool, w, x.AsSpan(1), 2, y));
        Assert.Equal("input", input.ParamName);
        var output = Assert.Throws<ArgumentException>(() => ChatEngine.Kernels.MatMul.Multiply(pool, w, x, 2, y.AsSpan(1)));
        Assert.Equal("output", output.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatEngine.Kernels.MatMul.Multiply(pool, w, x, -1, y));
        unsafe
        {
            var q8k = new WeightMatrix(GgmlType.Q8_K, w.Data, 1, 256);
            var e = Assert.Throws<NotSupportedException>(() => ChatEngine.Kernels.MatMul.Multiply(pool, q8k, x, 1, y));
            Assert.Contains("Q8_K", e.Message);
        }
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ChatEngine.Kernels.MatMul.Multiply(pool, w, x, 2, y));
    }

    internal static float[] Activations(int cols, int tokens, int seed)
    {
        var random = new Random(seed);
        var x = new float[cols * tokens];
        for (var i = 0; i < x.Length; i++) x[i] = RandomBlocks.Gaussian(random);
        return x;
    }

    internal static float[] Multiply(in WeightMatrix w, float[] x, int tokens, int threads)
    {
        using var pool = new ComputePool(threads);
        var y = new float[tokens * w.Rows];
        ChatEngine.Kernels.MatMul.Multiply(pool, w, x, tokens, y);
        return y;
    }

    private static unsafe double[] ExactProduct(in WeightMatrix w, float[] x, int tokens)
    {
        var y = new double[tokens * w.Rows];
        var data = (float*)w.Data;
        for (var t = 0; t < tokens; t++)
            for (var r = 0; r < w.Rows; r++)
            {
                double sum = 0;
                for (var c = 0; c < w.Cols; c++) sum += (double)data[(long)r * w.Cols + c] * x[t * w.Cols + c];
                y[t * w.Rows + r] = sum;
            }
        return y;
    }
}
