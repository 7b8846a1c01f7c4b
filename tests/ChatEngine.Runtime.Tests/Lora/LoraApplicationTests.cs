using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Lora;
using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Lora;

/// <summary>
/// Run-time application against merged weights, on a tiny random F32 llama and random adapters that touch every kind
/// of matrix (token embedding, the seven projections, the output head): what is added at run time must be what the
/// merge folds into the weights, several adapters must add up, and the selection must be per context.
/// </summary>
public sealed class LoraApplicationTests : IDisposable
{
    private static readonly int[] Tokens = [1, 270, 5, 299, 42, 261, 3, 17, 288, 100, 2, 64];

    private readonly ITestOutputHelper _output;
    private readonly AdapterFiles _files = new();
    private readonly string _basePath;
    private readonly LanguageModel _model;

    public LoraApplicationTests(ITestOutputHelper output)
    {
        _output = output;
        _basePath = _files.WriteTinyModel();
        _model = LanguageModel.Load(_basePath, threads: 2);
    }

    [Fact]
    public void Merged_weights_give_the_logits_of_the_adapter_applied_at_run_time()
    {
        using var adapter = LoraAdapter.Load(WriteAdapter(seed: 1, rank: 4, alpha: 8), _model);
        var selection = new LoraSelection([new ScaledLoraAdapter(adapter, 0.75f)]);
        var mergedPath = _files.NewPath();
        LoraMerger.Merge(_basePath, selection.Adapters, mergedPath, MergedTensorType.Base);
        using var merged = LanguageModel.Load(mergedPath, threads: 2);

        var runtime = Logits(_model, selection);
        var folded = Logits(merged, LoraSelection.None);
        var baseline = Logits(_model, LoraSelection.None);
        var difference = MaxAbsDiff(runtime, folded);
        var effect = MaxAbsDiff(runtime, baseline);
        _output.WriteLine($"run time vs merged: max |logit diff| {difference:E2}; adapter effect {effect:F3}");

        Assert.True(effect > 0.5, $"the adapter moved the logits by only {effect}");
        Assert.True(difference < 1e-4, $"run time vs merged: max |logit diff| {difference:E3}");
    }

    [Fact]
    public void Several_adapters_at_once_add_up_like_their_merge()
    {
        using var first = LoraAdapter.Load(WriteAdapter(seed: 2, rank: 4, alpha: 8), _model);
        using var second = LoraAdapter.Load(WriteAdapter(seed: 3, rank: 2, alpha: 0), _model);
        ScaledLoraAdapter[] both = [new(first, 0.5f), new(second, -1.5f)];
        var mergedPath = _files.NewPath();
        LoraMerger.Merge(_basePath, both, mergedPath, MergedTensorType.F32);
        using var merged = LanguageModel.Load(mergedPath, threads: 2);

        var runtime = Logits(_model, new LoraSelection(both));
        var reversed = Logits(_model, new LoraSelection(both.Reverse()));
        var onlyFirst = Logits(_model, new LoraSelection([both[0]]));
        var difference = MaxAbsDiff(runtime, Logits(merged, LoraSelection.None));
        _output.WriteLine($"run time vs merged: max |logit diff| {difference:E2}; second adapter's effect {MaxAbsDiff(runtime, onlyFirst):F3}; reversed order {MaxAbsDiff(runtime, reversed):E2}");

        // The first adapter is F16: like ggml, its products round their input to F16, which the F32 merge does not, and
        // a last-bit change upstream (another summation order) can flip such a rounding: hence bounds in the 1e-3s.
        Assert.True(difference < 1e-2, $"run time vs merged: max |logit diff| {difference:E3}");
        Assert.True(MaxAbsDiff(runtime, reversed) < 5e-3, "the order of adapters must not matter beyond rounding");
        Assert.True(MaxAbsDiff(runtime, onlyFirst) > 0.5, "the second adapter must contribute");
    }

    [Fact]
    public void Scale_zero_is_exactly_the_base_model()
    {
        using var adapter = LoraAdapter.Load(WriteAdapter(seed: 4, rank: 4, alpha: 8), _model);
        var selection = new LoraSelection([new ScaledLoraAdapter(adapter, 0f)]);

        Assert.True(selection.IsEmpty);
        Assert.Equal(Logits(_model, LoraSelection.None), Logits(_model, selection));
    }

    [Fact]
    public void Contexts_of_one_model_each_keep_their_own_adapters_when_interleaved()
    {
        using var adapter = LoraAdapter.Load(WriteAdapter(seed: 5, rank: 4, alpha: 8), _model);
        var selection = new LoraSelection([new ScaledLoraAdapter(adapter, 1f)]);
        var expectedWith = LastLogitsTokenByToken(_model.CreateContext(Tokens.Length), selection);
        var expectedWithout = LastLogitsTokenByToken(_model.CreateContext(Tokens.Length), LoraSelection.None);

        var with = _model.CreateContext(Tokens.Length);
        var without = _model.CreateContext(Tokens.Length);
        with.Adapters = selection;
        float[] lastWith = [], lastWithout = [];
        foreach (var token in Tokens)
        {
            lastWith = with.Evaluate([token]).ToArray();
            lastWithout = without.Evaluate([token]).ToArray();
        }

        Assert.Equal(expectedWith, lastWith);
        Assert.Equal(expectedWithout, lastWithout);
        Assert.True(MaxAbsDiff(lastWith, lastWithout) > 0.1);
    }

    [Fact]
    public void Merging_into_a_quantized_base_requantizes_only_the_adapted_tensors()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-llama-Q8_0.gguf"), threads: 1);
        using var adapter = LoraAdapter.Load(TestPaths.Model("tiny-llama-lora-F32.gguf"), model);
        var adapted = adapter.Weights.Select(w => w.BaseName).ToHashSet();
        foreach (var type in new[] { MergedTensorType.Base, MergedTensorType.F16 })
        {
            var mergedPath = _files.NewPath();
            LoraMerger.Merge(model.Path, [new ScaledLoraAdapter(adapter, 1f)], mergedPath, type);
            using var merged = GgufFile.Open(mergedPath);
            using var original = GgufFile.Open(model.Path);

            Assert.Equal(original.Metadata.Select(kv => (kv.Key, kv.Value.ToString())), merged.Metadata.Select(kv => (kv.Key, kv.Value.ToString())));
            Assert.Equal(original.Tensors.Select(t => t.Name), merged.Tensors.Select(t => t.Name));
            foreach (var tensor in original.Tensors)
            {
                var result = merged.GetTensor(tensor.Name);
                if (!adapted.Contains(tensor.Name))
                {
                    Assert.True(original.TensorBytes(tensor).SequenceEqual(merged.TensorBytes(result)), $"{tensor.Name} changed");
                    continue;
                }
                Assert.Equal(type == MergedTensorType.Base ? GgmlType.Q8_0 : GgmlType.F16, result.Type);
                // The delta is about half the weights' spread (golden/README.md): the merged tensor must differ.
                Assert.True(MaxAbsDiff(Dequantize(original, tensor), Dequantize(merged, result)) > 0.05, $"{tensor.Name} was not merged");
            }
        }
    }

    /// <summary>An adapter on every matrix kind of the tiny model: embedding, all projections of layer 1, output.</summary>
    private string WriteAdapter(int seed, int rank, float alpha)
    {
        var s = AdapterFiles.TinyShape;
        var random = new Random(seed);
        var kv = s.KvHeadCount * s.HeadSize;
        var tensors = new List<TensorData>();
        tensors.AddRange(AdapterFiles.Pair("token_embd.weight", s.EmbeddingSize, s.VocabSize, rank, random));
        foreach (var (name, cols, rows) in new[]
                 {
                     ("attn_q", s.EmbeddingSize, s.EmbeddingSize), ("attn_k", s.EmbeddingSize, kv), ("attn_v", s.EmbeddingSize, kv),
                     ("attn_output", s.EmbeddingSize, s.EmbeddingSize), ("ffn_gate", s.EmbeddingSize, s.FeedForwardSize),
                     ("ffn_up", s.EmbeddingSize, s.FeedForwardSize), ("ffn_down", s.FeedForwardSize, s.EmbeddingSize),
                 })
            tensors.AddRange(AdapterFiles.Pair($"blk.1.{name}.weight", cols, rows, rank, random, seed % 2 == 0 ? GgmlType.F16 : GgmlType.F32));
        tensors.AddRange(AdapterFiles.Pair("output.weight", s.EmbeddingSize, s.VocabSize, rank, random));
        return _files.Write(AdapterFiles.AdapterMetadata("llama", alpha), tensors);
    }

    private static float[] Logits(LanguageModel model, LoraSelection adapters)
    {
        var context = model.CreateContext(Tokens.Length);
        context.Adapters = adapters;
        var logits = new float[Tokens.Length * model.Parameters.VocabSize];
        context.EvaluateAll(Tokens, logits);
        return logits;
    }

    private static float[] LastLogitsTokenByToken(InferenceContext context, LoraSelection adapters)
    {
        context.Adapters = adapters;
        foreach (var token in Tokens) context.Evaluate([token]);
        return context.Logits.ToArray();
    }

    private static float[] Dequantize(GgufFile file, GgufTensorInfo tensor)
    {
        var values = new float[tensor.ElementCount];
        QuantFormats.Dequantize(tensor.Type, file.TensorBytes(tensor), values);
        return values;
    }

    private static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    public void Dispose()
    {
        _model.Dispose();
        _files.Dispose();
    }
}
