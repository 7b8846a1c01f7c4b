using ChatEngine.Gguf;
using ChatEngine.Runtime.Synthesis;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

public sealed class SyntheticQwen3Tests : IDisposable
{
    /// <summary>tiny-qwen3's shape (golden/README.md): 8 heads of 64 over an embedding of 256.</summary>
    private static readonly ModelShape TinyQwen3 = new("tiny-qwen3", "qwen3", 256, 3, 8, 2, 512, 2048, TiedOutput: true, 1000000f, 1e-6f, 512, KeyLength: 64);

    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("chatengine-synth-").FullName, "qwen3.gguf");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    [SharedFact]
    public void A_synthetic_qwen3_has_the_tensors_and_head_size_of_the_file_llama_cpp_made()
    {
        SyntheticModelWriter.Write(_path, TinyQwen3, GgmlType.F32);
        using var ours = GgufFile.Open(_path);
        using var reference = GgufFile.Open(TestPaths.Model("tiny-qwen3-F32.gguf"));

        Assert.Equal(Describe(reference), Describe(ours));
        foreach (var key in new[] { "qwen3.attention.key_length", "qwen3.attention.value_length" })
            Assert.Equal(reference.Metadata.GetUInt32(key), ours.Metadata.GetUInt32(key));
    }

    [Fact]
    public void A_synthetic_qwen3_loads_with_its_key_length_as_head_size_and_per_head_norms()
    {
        SyntheticModelWriter.Write(_path, TinyQwen3, GgmlType.Q8_0);
        using var model = LanguageModel.Load(_path, threads: 1);

        Assert.Equal(64, model.Parameters.HeadSize);
        Assert.All(model.Weights.Layers, l => Assert.Equal(64, l.QueryNorm?.Length));
        Assert.All(model.Weights.Layers, l => Assert.Equal(64, l.KeyNorm?.Length));
        Assert.All(model.CreateContext(4).Evaluate([5, 6]).ToArray(), l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void The_qwen3_0_6b_shape_has_heads_of_128_wider_than_embedding_over_heads() =>
        Assert.Equal(128, ModelShape.Find("qwen3-0.6b").HeadSize);

    private static List<string> Describe(GgufFile file) =>
        file.Tensors.Select(t => $"{t.Name} {t.Type} [{string.Join(", ", t.Dimensions)}]").Order(StringComparer.Ordinal).ToList();
}
