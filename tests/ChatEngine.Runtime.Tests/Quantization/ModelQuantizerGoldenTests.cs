using ChatEngine.Gguf;
using ChatEngine.Runtime.Quantization;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Quantization;

/// <summary>
/// Every quantized model in ../shared/models was written by llama-quantize from its F32 model (../shared/golden/README.md:
/// <c>--pure</c> for all but the Q4_K_M mixes). Quantizing the same F32 file must reproduce it: metadata, tensor
/// directory and every tensor's bytes, hence the whole file.
/// </summary>
public sealed class ModelQuantizerGoldenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatengine-quantize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SharedTheory]
    [InlineData("tiny-llama", "F16", true)]
    [InlineData("tiny-llama", "BF16", true)]
    [InlineData("tiny-llama", "Q8_0", true)]
    [InlineData("tiny-llama", "Q4_0", true)]
    [InlineData("tiny-llama", "Q4_1", true)]
    [InlineData("tiny-llama", "Q5_0", true)]
    [InlineData("tiny-llama", "Q2_K", true)]
    [InlineData("tiny-llama", "Q4_K_S", true)]
    [InlineData("tiny-llama", "Q5_K_S", true)]
    [InlineData("tiny-llama", "Q6_K", true)]
    [InlineData("tiny-llama", "Q4_K_M", false)]
    [InlineData("tiny-qwen2", "Q8_0", true)]
    [InlineData("tiny-qwen2", "Q4_K_M", false)]
    [InlineData("tiny-qwen3", "Q8_0", true)]
    [InlineData("tiny-qwen3", "Q4_K_M", false)]
    [InlineData("tiny-gemma3", "Q8_0", true)]
    [InlineData("tiny-phi3", "Q8_0", true)]
    [InlineData("tiny-phi3", "Q4_K_M", false)]
    [InlineData("tiny-qwen3moe", "Q4_K_M", false)]
    public void Quantizing_the_F32_model_reproduces_llama_quantize_byte_for_byte(string model, string typeName, bool pure)
    {
        Assert.True(QuantizationType.TryFind(typeName, out var type));
        var output = Path.Combine(_directory, $"{model}-{typeName}.gguf");

        ModelQuantizer.Quantize(TestPaths.Model($"{model}-F32.gguf"), output, type, pure);

        var goldenPath = TestPaths.Model($"{model}-{typeName}.gguf");
        using (var golden = GgufFile.Open(goldenPath))
        using (var actual = GgufFile.Open(output))
        {
            Assert.Equal(golden.Metadata.Select(kv => (kv.Key, Describe(kv.Value))), actual.Metadata.Select(kv => (kv.Key, Describe(kv.Value))));
            Assert.Equal(golden.Tensors.Select(t => t.ToString()), actual.Tensors.Select(t => t.ToString()));
            var differing = golden.Tensors
                .Select(t => (t.Name, Bytes: t.ByteSize, Differing: DifferingBytes(golden.TensorBytes(t), actual.TensorBytes(actual.GetTensor(t.Name)))))
                .Where(t => t.Differing > 0)
                .Select(t => $"{t.Name}: {t.Differing} of {t.Bytes} bytes differ")
                .ToList();
            Assert.True(differing.Count == 0, $"{differing.Count} of {golden.Tensors.Count} tensors differ:\n{string.Join("\n", differing)}");
        }
        Assert.Equal(File.ReadAllBytes(goldenPath), File.ReadAllBytes(output));
    }

    private static string Describe(GgufValue value) =>
        value.Value is GgufArray array ? $"{value.Type} {array.ElementType} x{array.Length}: {string.Join(",", array.Items.Cast<object>())}" : $"{value.Type} {value.Value}";

    private static int DifferingBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        var count = 0;
        for (var i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) count++;
        return count;
    }
}
