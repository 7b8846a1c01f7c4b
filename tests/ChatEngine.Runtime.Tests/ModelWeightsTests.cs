using System.Text.RegularExpressions;
using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests;

public sealed partial class ModelWeightsTests
{
    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("tiny-llama-Q8_0.gguf")]
    public void Bytes_read_per_token_are_the_layer_and_output_tensors_of_the_file(string modelFile)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 1);
        using var file = GgufFile.Open(TestPaths.Model(modelFile));
        var layerBytes = file.Tensors.Where(t => LayerMatrix().IsMatch(t.Name)).Sum(t => t.ByteSize);
        var output = file.TryGetTensor("output.weight", out var separate) ? separate : file.GetTensor("token_embd.weight");
        Assert.Equal(layerBytes + output.ByteSize, model.Weights.BytesReadPerToken);
    }

    [Fact]
    public unsafe void Q8_0_layer_matrices_are_repacked_where_the_kernels_run_and_the_token_embedding_is_not()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-llama-Q8_0.gguf"), threads: 1);
        var repacks = ChatEngine.Kernels.KernelIsa.Avx2Active;
        var layer = model.Weights.Layers[0];
        foreach (var matrix in new[] { layer.Query, layer.Key, layer.Value, layer.AttentionOutput, layer.Gate, layer.Up, layer.Down })
            Assert.True(repacks == (matrix.Interleaved != null), $"a {matrix.Rows} x {matrix.Cols} matrix: repacked {matrix.Interleaved != null}, AVX2 {repacks}");
        Assert.True(model.Weights.TokenEmbedding.Interleaved == null);
    }

    [Fact]
    public void Memory_read_bandwidth_is_a_positive_finite_rate()
    {
        using var pool = new ComputePool(2);
        var rate = MemoryBandwidth.MeasureReadBytesPerSecond(pool, bytes: 64L << 20, passes: 2);
        Assert.True(double.IsFinite(rate) && rate > 0, $"{rate} bytes/s");
    }

    [GeneratedRegex(@"^blk\.\d+\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\.weight$")]
    private static partial Regex LayerMatrix();
}
