using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>
/// Quantizing the F32 models with our code gives exactly the bytes llama-quantize wrote (golden/README.md,
/// "Quantization notes": the files were made from tiny-llama-F32 / tiny-qwen2-F32 without an importance matrix, so
/// llama.cpp used its reference quantizers).
/// </summary>
public class ReferenceQuantizerTests
{
    [SharedTheory]
    [InlineData("tiny-llama-F16.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.F16 })]
    [InlineData("tiny-llama-BF16.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.BF16 })]
    [InlineData("tiny-llama-Q8_0.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q8_0 })]
    [InlineData("tiny-llama-Q4_0.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q4_0 })]
    [InlineData("tiny-llama-Q4_1.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q4_1 })]
    [InlineData("tiny-llama-Q5_0.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q5_0 })]
    [InlineData("tiny-llama-Q2_K.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q2_K })]
    [InlineData("tiny-llama-Q4_K_S.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q4_K })]
    [InlineData("tiny-llama-Q5_K_S.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q5_K })]
    [InlineData("tiny-llama-Q6_K.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q6_K })]
    [InlineData("tiny-llama-Q4_K_M.gguf", "tiny-llama-F32.gguf", new[] { GgmlType.Q4_K, GgmlType.Q6_K })]
    [InlineData("tiny-qwen2-Q8_0.gguf", "tiny-qwen2-F32.gguf", new[] { GgmlType.Q8_0 })]
    [InlineData("tiny-qwen2-Q4_K_M.gguf", "tiny-qwen2-F32.gguf", new[] { GgmlType.Q5_0, GgmlType.Q8_0 })]
    public void Quantizing_the_F32_model_reproduces_llama_quantize_byte_for_byte(string quantizedFile, string sourceFile,
        GgmlType[] expectedTypes)
    {
        using var quantized = GgufFile.Open(TestPaths.Model(quantizedFile));
        using var source = GgufFile.Open(TestPaths.Model(sourceFile));

        var matrices = ModelTensors.Matrices(quantized).ToList();
        Assert.Equal(expectedTypes.Order(), matrices.Select(t => t.Type).Distinct().Order());

        var mismatches = new List<string>();
        foreach (var tensor in matrices)
        {
            var values = ModelTensors.ReadF32(source, source.GetTensor(tensor.Name));
            var expected = quantized.TensorBytes(tensor);
            var actual = new byte[expected.Length];
            QuantFormats.Quantize(tensor.Type, values, actual);
            if (!expected.SequenceEqual(actual)) mismatches.Add(Describe(tensor, expected, actual));
        }
        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} of {matrices.Count} tensors differ:\n{string.Join("\n", mismatches)}");
    }

    private static string Describe(GgufTensorInfo tensor, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        var blockBytes = GgmlTypeInfo.BlockBytes(tensor.Type);
        int blocks = expected.Length / blockBytes, differing = 0, first = -1, firstByte = -1;
        for (var b = 0; b < blocks; b++)
        {
            var offset = b * blockBytes;
            var at = expected.Slice(offset, blockBytes).CommonPrefixLength(actual.Slice(offset, blockBytes));
            if (at == blockBytes) continue;
            differing++;
            if (first < 0) { first = b; firstByte = at; }
        }
        return $"  {tensor}: {differing}/{blocks} blocks differ, first block {first} at byte {firstByte}";
    }
}
