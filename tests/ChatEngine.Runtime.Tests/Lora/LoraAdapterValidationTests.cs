using ChatEngine.Gguf;
using ChatEngine.Runtime.Lora;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Lora;

/// <summary>
/// The real tiny-llama adapter (bundled) against the bundled tiny-llama-Q8_0 base (same shapes as the F32 model it was
/// trained for), and variants of it with one thing broken: each must fail with a <see cref="LoraAdapterException"/>
/// that names the offending tensor or key.
/// </summary>
public sealed class LoraAdapterValidationTests : IDisposable
{
    private const string AdapterFile = "tiny-llama-lora-F32.gguf";
    private readonly LanguageModel _model = LanguageModel.Load(TestPaths.Model("tiny-llama-Q8_0.gguf"), threads: 1);
    private readonly AdapterFiles _files = new();

    [Fact]
    public void The_llama_cpp_adapter_loads_with_its_alpha_rank_and_twelve_matrices()
    {
        using var adapter = LoraAdapter.Load(TestPaths.Model(AdapterFile), _model);

        Assert.Equal(16f, adapter.Alpha);
        Assert.Equal(12, adapter.Weights.Count);
        Assert.All(adapter.Weights, w => Assert.Equal(8, w.Rank));
        Assert.Equal(
            Enumerable.Range(0, 4).SelectMany(i => new[] { $"blk.{i}.attn_q.weight", $"blk.{i}.attn_v.weight", $"blk.{i}.ffn_up.weight" }).Order(),
            adapter.Weights.Select(w => w.BaseName).Order());
        // golden/README.md: the factor is 2.0 at scale 1 and 1.0 at scale 0.5.
        Assert.Equal(2f, adapter.Weights[0].Factor(adapter.Alpha, 1f));
        Assert.Equal(1f, adapter.Weights[0].Factor(adapter.Alpha, 0.5f));
    }

    [Theory]
    [InlineData("general.architecture", "qwen2")]
    [InlineData("general.type", "model")]
    [InlineData("adapter.type", "control_vector")]
    public void Wrong_adapter_metadata_is_rejected_naming_the_key(string key, string value)
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        metadata.Set(key, new GgufValue(GgufValueType.String, value));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Contains($"'{key}' is '{value}'", error.Message);
    }

    [Fact]
    public void A_base_model_passed_as_an_adapter_is_rejected()
    {
        var error = LoadFails(TestPaths.Model("stories260K.gguf"));
        Assert.Contains("'general.type' is missing", error.Message);
    }

    [Fact]
    public void Alpha_of_the_wrong_type_is_rejected()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        metadata.Set("adapter.lora.alpha", new GgufValue(GgufValueType.String, "sixteen"));
        Assert.Contains("adapter.lora.alpha", LoadFails(_files.Write(metadata, tensors)).Message);
    }

    [Fact]
    public void A_lora_a_with_the_wrong_input_size_is_rejected_naming_it()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        Replace(tensors, AdapterFiles.Random("blk.1.attn_v.weight.lora_a", GgmlType.F32, [128, 8], 0.1f, new Random(1)));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal("blk.1.attn_v.weight.lora_a", error.TensorName);
        Assert.Contains("ne[0] must be 256", error.Message);
    }

    [Fact]
    public void A_lora_b_with_the_wrong_output_size_is_rejected_naming_it()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        // attn_v of this GQA model has 64 outputs; a B made for attn_q (256) does not fit.
        Replace(tensors, AdapterFiles.Random("blk.2.attn_v.weight.lora_b", GgmlType.F32, [8, 256], 0.1f, new Random(1)));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal("blk.2.attn_v.weight.lora_b", error.TensorName);
        Assert.Contains("ne[1] must be 64", error.Message);
    }

    [Fact]
    public void A_and_b_of_different_ranks_are_rejected()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        Replace(tensors, AdapterFiles.Random("blk.0.ffn_up.weight.lora_b", GgmlType.F32, [4, 768], 0.1f, new Random(1)));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal("blk.0.ffn_up.weight.lora_a", error.TensorName);
        Assert.Contains("disagree on the rank (8 vs 4)", error.Message);
    }

    [Fact]
    public void A_lora_a_without_its_lora_b_is_rejected_naming_it()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        tensors.RemoveAll(t => t.Name == "blk.3.attn_q.weight.lora_b");

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal("blk.3.attn_q.weight.lora_a", error.TensorName);
        Assert.Contains("no matching 'blk.3.attn_q.weight.lora_b'", error.Message);
    }

    [Fact]
    public void A_lora_b_without_its_lora_a_is_rejected_naming_it()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        tensors.RemoveAll(t => t.Name == "blk.3.attn_q.weight.lora_a");

        Assert.Equal("blk.3.attn_q.weight.lora_b", LoadFails(_files.Write(metadata, tensors)).TensorName);
    }

    [Theory]
    [InlineData("blk.4.attn_q.weight", 256, 256)] // the base has 4 layers
    [InlineData("blk.0.attn_norm.weight", 256, 256)] // a vector, not a projection
    [InlineData("rope_freqs.weight", 16, 1)]
    public void A_pair_for_something_that_is_not_a_base_matrix_is_rejected(string baseName, long cols, long rows)
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        tensors.AddRange(AdapterFiles.Pair(baseName, cols, rows, 8, new Random(2)));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal(baseName + ".lora_a", error.TensorName);
        Assert.Contains("not a weight matrix of the base model", error.Message);
    }

    [Fact]
    public void A_tensor_with_another_suffix_is_rejected_naming_it()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        tensors.Add(AdapterFiles.Random("blk.0.attn_q.weight.lora_c", GgmlType.F32, [8], 1, new Random(3)));

        Assert.Equal("blk.0.attn_q.weight.lora_c", LoadFails(_files.Write(metadata, tensors)).TensorName);
    }

    [Fact]
    public void Quantized_lora_tensors_are_rejected_naming_the_type()
    {
        var (metadata, tensors) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        Replace(tensors, AdapterFiles.Random("blk.0.attn_q.weight.lora_a", GgmlType.Q8_0, [256, 8], 0.1f, new Random(4)));

        var error = LoadFails(_files.Write(metadata, tensors));
        Assert.Equal("blk.0.attn_q.weight.lora_a", error.TensorName);
        Assert.Contains("type Q8_0", error.Message);
    }

    [Fact]
    public void An_adapter_without_tensors_is_rejected()
    {
        var (metadata, _) = AdapterFiles.Read(TestPaths.Model(AdapterFile));
        Assert.Contains("no LoRA tensors", LoadFails(_files.Write(metadata, [])).Message);
    }

    [Fact]
    public void A_truncated_file_is_a_clear_error_with_the_format_problem_inside()
    {
        var path = _files.NewPath();
        var bytes = File.ReadAllBytes(TestPaths.Model(AdapterFile));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = LoadFails(path);
        Assert.IsType<GgufFormatException>(error.InnerException);
        Assert.Contains("not a readable GGUF file", error.Message);
    }

    [Fact]
    public void A_missing_file_is_file_not_found()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-adapter.gguf");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => LoraAdapter.Load(missing, _model)).Message);
    }

    private LoraAdapterException LoadFails(string path)
    {
        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(path, _model).Dispose());
        Assert.Equal(path, error.AdapterPath);
        return error;
    }

    private static void Replace(List<TensorData> tensors, TensorData replacement) =>
        tensors[tensors.FindIndex(t => t.Name == replacement.Name)] = replacement;

    public void Dispose()
    {
        _model.Dispose();
        _files.Dispose();
    }
}
