using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>
/// Checks that need only the models bundled in tests/data (tiny-llama Q8_0 and Q4_K_M, both quantized by llama.cpp
/// from the same F32 weights), so a clone without ../shared still exercises the formats on real llama.cpp output.
/// </summary>
public class BundledModelTests
{
    /// <summary>
    /// Q8_0 is a fixed point of its reference quantizer: dequantized values are q * d with some |q| = 127, so
    /// requantizing finds the same amax / 127 = d (exact: 127 * d needs 18 significand bits) and rounds every
    /// q * d * (1/d) back to q.
    /// </summary>
    [Fact]
    public void Requantizing_llama_cpp_Q8_0_tensors_reproduces_their_bytes()
    {
        using var file = GgufFile.Open(TestPaths.Model("tiny-llama-Q8_0.gguf"));
        var matrices = ModelTensors.Matrices(file).ToList();
        Assert.NotEmpty(matrices);
        foreach (var tensor in matrices)
        {
            Assert.Equal(GgmlType.Q8_0, tensor.Type);
            var bytes = file.TensorBytes(tensor);
            var values = new float[tensor.ElementCount];
            QuantFormats.Dequantize(tensor.Type, bytes, values);
            var requantized = new byte[bytes.Length];
            QuantFormats.Quantize(tensor.Type, values, requantized);
            Assert.True(bytes.SequenceEqual(requantized), $"{tensor} changed when requantized");
        }
    }

    /// <summary>
    /// The Q4_K / Q6_K tensors of the Q4_K_M model and the Q8_0 tensors of the Q8_0 model decode to the same
    /// weights up to their quantization errors, which are independent, so the relative RMS difference is at most
    /// sqrt(bound(K type)² + bound(Q8_0)²). A wrongly laid out block would differ by about √2 (uncorrelated values).
    /// </summary>
    [Fact]
    public void Q4_K_M_and_Q8_0_models_decode_to_the_same_weights()
    {
        using var mixed = GgufFile.Open(TestPaths.Model("tiny-llama-Q4_K_M.gguf"));
        using var reference = GgufFile.Open(TestPaths.Model("tiny-llama-Q8_0.gguf"));
        var seen = new HashSet<GgmlType>();
        foreach (var tensor in ModelTensors.Matrices(mixed))
        {
            seen.Add(tensor.Type);
            var expected = Decode(reference, reference.GetTensor(tensor.Name));
            var actual = Decode(mixed, tensor);
            var bound = Math.Sqrt(Math.Pow(QuantError.Bound(tensor.Type), 2) + Math.Pow(QuantError.Bound(GgmlType.Q8_0), 2));
            var ratio = QuantError.RelativeRms(expected, actual);
            Assert.True(ratio <= bound, $"{tensor}: relative RMS difference {ratio:F4} > {bound:F4}");
        }
        Assert.Equal([GgmlType.Q4_K, GgmlType.Q6_K], seen.Order());
    }

    private static float[] Decode(GgufFile file, GgufTensorInfo tensor)
    {
        var values = new float[tensor.ElementCount];
        QuantFormats.Dequantize(tensor.Type, file.TensorBytes(tensor), values);
        return values;
    }
}
