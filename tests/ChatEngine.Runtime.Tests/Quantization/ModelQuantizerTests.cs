using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Quantization;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Quantization;

public sealed class ModelQuantizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatengine-quantize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Every quantized model in ../shared/models was written by llama-quantize from its F32 model (../shared/golden/README.md:
    /// <c>--pure</c> for all but the Q4_K_M mixes). Quantizing the same F32 file must reproduce it: metadata, tensor
    /// directory and every tensor's bytes, hence the whole file.
    /// </summary>
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
        var type = Type(typeName);
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

    /// <summary>F16 and BF16 inputs are decoded row by row; widening to F32 is exact, and F32 tensors are copied as they are.</summary>
    [SharedTheory]
    [InlineData("tiny-llama-F16.gguf")]
    [InlineData("tiny-llama-BF16.gguf")]
    public void A_half_precision_model_widens_exactly_to_F32(string model)
    {
        var output = Path.Combine(_directory, "wide.gguf");

        ModelQuantizer.Quantize(TestPaths.Model(model), output, Type("F32"));

        using var source = GgufFile.Open(TestPaths.Model(model));
        using var widened = GgufFile.Open(output);
        Assert.Equal(0u, widened.Metadata.GetUInt32("general.file_type"));
        Assert.All(widened.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        foreach (var tensor in source.Tensors)
        {
            var expected = new float[tensor.ElementCount];
            QuantFormats.Dequantize(tensor.Type, source.TensorBytes(tensor), expected);
            Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(widened.TensorBytes(widened.GetTensor(tensor.Name))), tensor.Name);
        }
    }

    [Fact]
    public void An_already_quantized_model_is_refused_and_nothing_is_written()
    {
        var output = Path.Combine(_directory, "out.gguf");

        var error = Assert.Throws<NotSupportedException>(() =>
            ModelQuantizer.Quantize(TestPaths.Model("tiny-llama-Q8_0.gguf"), output, Type("Q4_0")));

        Assert.Contains("is not an F32, F16 or BF16 model", error.Message);
        Assert.Contains("Q8_0", error.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [SharedFact]
    public void An_existing_output_is_kept_unless_overwriting_is_asked_for()
    {
        var output = Path.Combine(_directory, "out.gguf");
        File.WriteAllText(output, "keep me");
        var input = TestPaths.Model("tiny-llama-F32.gguf");

        Assert.Throws<IOException>(() => ModelQuantizer.Quantize(input, output, Type("Q8_0")));
        Assert.Equal("keep me", File.ReadAllText(output));

        ModelQuantizer.Quantize(input, output, Type("Q8_0"), overwrite: true);
        using var written = GgufFile.Open(output);
        Assert.Equal(7u, written.Metadata.GetUInt32("general.file_type"));
        Assert.Equal([output], Directory.GetFiles(_directory));
    }

    [SharedFact]
    public void The_input_cannot_be_its_own_output()
    {
        var input = TestPaths.Model("tiny-llama-F32.gguf");
        var before = File.GetLastWriteTimeUtc(input);

        Assert.Throws<ArgumentException>(() => ModelQuantizer.Quantize(input, input, Type("Q8_0"), overwrite: true));
        Assert.Equal(before, File.GetLastWriteTimeUtc(input));
    }

    [Theory]
    [InlineData("q4_k_m", "Q4_K_M", 15u)]
    [InlineData("Q4_K", "Q4_K_M", 15u)]
    [InlineData("Q3_K", "Q3_K_M", 12u)]
    [InlineData("bf16", "BF16", 32u)]
    public void Types_are_found_by_llama_quantize_names_and_aliases(string name, string expected, uint fileType)
    {
        var type = Type(name);
        Assert.Equal(expected, type.Name);
        Assert.Equal(fileType, type.FileType);
    }

    [Fact]
    public void An_unknown_type_name_is_not_found() => Assert.False(QuantizationType.TryFind("Q4_K_X", out _));

    /// <summary>Rows llama.cpp's blocks cannot tile fall back to the nearest type that can, F16 as the last resort.</summary>
    [Theory]
    [InlineData(GgmlType.Q4_K, 256, GgmlType.Q4_K)]
    [InlineData(GgmlType.Q4_K, 128, GgmlType.Q5_0)]
    [InlineData(GgmlType.Q5_K, 64, GgmlType.Q5_1)]
    [InlineData(GgmlType.Q6_K, 384, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q2_K, 96, GgmlType.Q4_0)]
    [InlineData(GgmlType.Q6_K, 100, GgmlType.F16)]
    [InlineData(GgmlType.Q8_0, 48, GgmlType.F16)]
    public void Types_whose_blocks_do_not_fit_the_rows_fall_back(GgmlType requested, long columns, GgmlType expected) =>
        Assert.Equal(expected, QuantizationRecipe.Fallback(requested, columns));

    private static QuantizationType Type(string name) =>
        QuantizationType.TryFind(name, out var type) ? type : throw new ArgumentException($"no type {name}", nameof(name));
}
