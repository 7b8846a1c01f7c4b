using ChatEngine.Gguf;
using ChatEngine.Runtime.Synthesis;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

public sealed class SyntheticGemma3Phi3Tests : IDisposable
{
    /// <summary>tiny-gemma3's and tiny-phi3's shapes (golden/README.md).</summary>
    private static readonly ModelShape TinyGemma3 =
        new("tiny-gemma3", "gemma3", 256, 4, 4, 2, 512, 512, TiedOutput: true, 1000000f, 1e-6f, 512, KeyLength: 64, SlidingWindow: 16);
    private static readonly ModelShape TinyPhi3 = new("tiny-phi3", "phi3", 256, 3, 4, 2, 512, 512, TiedOutput: false, 10000f, 1e-5f, 512);

    private readonly string _folder = Directory.CreateTempSubdirectory("chatengine-synth-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> TinyModels => new() { { "tiny-gemma3", "tiny-gemma3-F32.gguf" }, { "tiny-phi3", "tiny-phi3-F32.gguf" } };

    [SharedTheory]
    [MemberData(nameof(TinyModels))]
    public void A_synthetic_model_has_the_tensors_of_the_file_llama_cpp_made(string shape, string reference)
    {
        var path = Path.Combine(_folder, shape + ".gguf");
        SyntheticModelWriter.Write(path, Shape(shape), GgmlType.F32);
        using var ours = GgufFile.Open(path);
        using var theirs = GgufFile.Open(TestPaths.Model(reference));

        Assert.Equal(Describe(theirs), Describe(ours));
    }

    [Fact]
    public void A_synthetic_gemma3_loads_with_local_layers_every_layer_but_each_sixth()
    {
        var path = Path.Combine(_folder, "gemma3.gguf");
        SyntheticModelWriter.Write(path, TinyGemma3 with { LayerCount = 6 }, GgmlType.Q8_0);
        using var model = LanguageModel.Load(path, threads: 1);

        Assert.Equal(16, model.Parameters.SlidingWindow);
        Assert.Equal([true, true, true, true, true, false], Enumerable.Range(0, 6).Select(model.Parameters.IsLocalLayer));
        Assert.Equal(16f, model.Parameters.EmbeddingScale);
        Assert.All(model.Weights.Layers, l => Assert.Equal(256, l.PostFeedForwardNorm?.Length));
        Assert.All(model.CreateContext(24).Evaluate(Enumerable.Range(3, 20).ToArray()).ToArray(), l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void A_synthetic_phi3_loads_its_fused_matrices_as_query_key_value_gate_and_up()
    {
        var path = Path.Combine(_folder, "phi3.gguf");
        SyntheticModelWriter.Write(path, TinyPhi3, GgmlType.Q8_0);
        using var model = LanguageModel.Load(path, threads: 1);

        var layer = model.Weights.Layers[0];
        Assert.Equal((256, 128, 128, 512, 512), (layer.Query.Rows, layer.Key.Rows, layer.Value.Rows, layer.Gate.Rows, layer.Up.Rows));
        Assert.All(model.CreateContext(4).Evaluate([5, 6]).ToArray(), l => Assert.True(float.IsFinite(l)));
    }

    [Theory]
    [InlineData("gemma3-1b", 256, 96)]
    [InlineData("phi-4-mini", 128, 96)]
    public void The_real_shapes_have_their_head_sizes(string name, int headSize, int rotated)
    {
        var shape = ModelShape.Find(name);
        Assert.Equal(headSize, shape.HeadSize);
        Assert.Equal(name == "phi-4-mini" ? rotated : headSize, shape.RotatedDimensions);
    }

    [SharedFact]
    public void A_gemma3_without_its_sliding_window_is_a_format_error_naming_the_key()
    {
        var path = Rewrite("tiny-gemma3-F32.gguf", m => m.Remove("gemma3.attention.sliding_window"), dropTensor: null);

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));
        Assert.Contains("gemma3.attention.sliding_window", error.Message);
    }

    [SharedTheory]
    [InlineData("tiny-gemma3-F32.gguf", "blk.1.post_ffw_norm.weight")]
    [InlineData("tiny-phi3-F32.gguf", "blk.2.attn_qkv.weight")]
    public void A_missing_tensor_is_a_format_error_naming_it(string model, string tensor)
    {
        var path = Rewrite(model, _ => { }, dropTensor: tensor);

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));
        Assert.Contains($"'{tensor}'", error.Message);
    }

    private string Rewrite(string model, Action<GgufMetadata> change, string? dropTensor)
    {
        using var file = GgufFile.Open(TestPaths.Model(model));
        var metadata = new GgufMetadata(file.Metadata);
        change(metadata);
        var path = Path.Combine(_folder, "rewritten.gguf");
        GgufWriter.Write(path, metadata, file.Tensors.Where(t => t.Name != dropTensor)
            .Select(t => (new GgufTensorDescriptor(t.Name, t.Type, t.Dimensions), (ReadOnlyMemory<byte>)file.TensorBytes(t).ToArray()))
            .ToList());
        return path;
    }

    private static ModelShape Shape(string name) => name == "tiny-gemma3" ? TinyGemma3 : TinyPhi3;

    private static List<string> Describe(GgufFile file) =>
        file.Tensors.Select(t => $"{t.Name} {t.Type} [{string.Join(", ", t.Dimensions)}]").Order(StringComparer.Ordinal).ToList();
}
