using ChatEngine.Gguf;
using ChatEngine.Runtime.Quantization;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Quantization;

public sealed class ModelQuantizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatengine-quantize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

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
