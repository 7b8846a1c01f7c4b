using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>
/// Dequantizing llama.cpp's quantized tensors gives back the F32 weights they were made from, up to each type's
/// quantization error (<see cref="QuantError.Bound"/>).
/// </summary>
public class DequantizeAccuracyTests(ITestOutputHelper output)
{
    [SharedTheory]
    [InlineData("tiny-llama-F16.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-BF16.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q8_0.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q4_0.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q4_1.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q5_0.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q2_K.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q4_K_S.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q5_K_S.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q6_K.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q4_K_M.gguf", "tiny-llama-F32.gguf")]
    [InlineData("tiny-qwen2-Q4_K_M.gguf", "tiny-qwen2-F32.gguf")]
    public void Dequantized_weights_match_the_F32_source_within_the_quantization_error(string quantizedFile, string sourceFile)
    {
        using var quantized = GgufFile.Open(TestPaths.Model(quantizedFile));
        using var source = GgufFile.Open(TestPaths.Model(sourceFile));
        var failures = new List<string>();
        foreach (var tensor in ModelTensors.Matrices(quantized))
        {
            var expected = ModelTensors.ReadF32(source, source.GetTensor(tensor.Name));
            var actual = new float[expected.Length];
            QuantFormats.Dequantize(tensor.Type, quantized.TensorBytes(tensor), actual);
            var ratio = QuantError.RelativeRms(expected, actual);
            output.WriteLine($"{tensor}: relative RMS error {ratio:F5} (bound {QuantError.Bound(tensor.Type)})");
            if (!(ratio <= QuantError.Bound(tensor.Type))) failures.Add($"{tensor}: {ratio:F5}");
        }
        Assert.True(failures.Count == 0, "error above the type's bound:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// Each F16 / BF16 value is the source rounded to an 11 / 8-bit significand: within half a unit in the last place,
    /// i.e. 2^-11 / 2^-8 relative (F16 values below 2^-14 are subnormal, with absolute spacing 2^-24).
    /// </summary>
    [SharedTheory]
    [InlineData("tiny-llama-F16.gguf", 11, 2.9802322e-8f)]
    [InlineData("tiny-llama-BF16.gguf", 8, 0f)]
    public void Each_half_precision_value_is_within_half_an_ulp_of_its_source(string file, int significandBits, float absoluteSlack)
    {
        using var quantized = GgufFile.Open(TestPaths.Model(file));
        using var source = GgufFile.Open(TestPaths.Model("tiny-llama-F32.gguf"));
        var relative = MathF.ScaleB(1f, -significandBits);
        foreach (var tensor in ModelTensors.Matrices(quantized))
        {
            var expected = ModelTensors.ReadF32(source, source.GetTensor(tensor.Name));
            var actual = new float[expected.Length];
            QuantFormats.Dequantize(tensor.Type, quantized.TensorBytes(tensor), actual);
            for (var i = 0; i < expected.Length; i++)
            {
                var error = MathF.Abs(actual[i] - expected[i]);
                Assert.True(error <= relative * MathF.Abs(expected[i]) + absoluteSlack,
                    $"{tensor} [{i}]: {expected[i]:R} came back as {actual[i]:R}");
            }
        }
    }
}
