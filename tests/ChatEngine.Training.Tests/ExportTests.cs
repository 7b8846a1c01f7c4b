using ChatEngine.Gguf;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Lora;
using ChatEngine.TestData;
using ChatEngine.Training.Lora;
using LoraAdapter = ChatEngine.Training.Lora.LoraAdapter;
using Xunit;

namespace ChatEngine.Training.Tests;

/// <summary>The exported adapter: llama.cpp's layout and metadata, read back exactly, and equivalent to merged weights.</summary>
public sealed class ExportTests
{
    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void ExportedAdapterReadsBackWithLlamaCppMetadataAndShapes(GgmlType type)
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var adapter = RandomAdapter(model, new LoraSettings(4, 8, 0, LoraSettings.DefaultTargets));
        var path = dir.File("adapter.gguf");
        LoraGgufExporter.Write(path, adapter, "llama", type);

        using var file = GgufFile.Open(path);
        Assert.Equal("adapter", file.Metadata.GetString("general.type"));
        Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        Assert.Equal("lora", file.Metadata.GetString("adapter.type"));
        Assert.Equal(8f, file.Metadata.GetFloat32("adapter.lora.alpha"));
        Assert.Equal(5 * 7 * 2, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.Equal(type, t.Type));
        var q = file.GetTensor("blk.0.attn_q.weight.lora_a");
        Assert.Equal([64L, 4], q.Dimensions);
        Assert.Equal([4L, 32], file.GetTensor("blk.4.attn_k.weight.lora_b").Dimensions);
        Assert.Equal([172L, 4], file.GetTensor("blk.2.ffn_down.weight.lora_a").Dimensions);
        Assert.Equal([4L, 172], file.GetTensor("blk.3.ffn_gate.weight.lora_b").Dimensions);

        var back = AdapterFiles.Read(path, model.Parameters, LoraSettings.DefaultTargets);
        var tolerance = type == GgmlType.F32 ? 0 : 1e-3f;
        foreach (var (written, read) in adapter.Pairs.Zip(back.Pairs))
        {
            Assert.All(written.A.Zip(read.A), v => Assert.True(Math.Abs(v.First - v.Second) <= tolerance * Math.Abs(v.First) + 1e-7f));
            Assert.All(written.B.Zip(read.B), v => Assert.True(Math.Abs(v.First - v.Second) <= tolerance * Math.Abs(v.First) + 1e-7f));
        }
    }

    [SharedFact]
    public void FineTuningAMixtureOfExpertsModelIsRefusedWithAReason()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-qwen3moe-F32.gguf"), 1);
        var adapter = LoraAdapter.Create(model.Parameters, new LoraSettings(8, 16, 0, [LoraTarget.Query]), seed: 1);
        var error = Assert.Throws<NotSupportedException>(() => new LoraTrainingModel(model.Parameters, model.Weights, adapter, 16));
        Assert.Contains("mixture-of-experts", error.Message);
    }

    [SharedFact]
    public void TensorNamesAndShapesMatchAnAdapterMadeByLlamaCpp()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-llama-F32.gguf"), 1);
        using var dir = new Stories.TempDir();
        var targets = new[] { LoraTarget.Query, LoraTarget.Value, LoraTarget.Up };
        var adapter = LoraAdapter.Create(model.Parameters, new LoraSettings(8, 16, 0, targets), seed: 1);
        var path = dir.File("ours.gguf");
        LoraGgufExporter.Write(path, adapter, "llama", GgmlType.F32);

        using var ours = GgufFile.Open(path);
        using var reference = GgufFile.Open(TestPaths.Model("tiny-llama-lora-F32.gguf"));
        Assert.Equal(reference.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions), t.Type)),
            ours.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions), t.Type)));
        foreach (var key in new[] { "general.architecture", "general.type", "adapter.type" })
            Assert.Equal(reference.Metadata.GetString(key), ours.Metadata.GetString(key));
        Assert.Equal(reference.Metadata["adapter.lora.alpha"].Type, ours.Metadata["adapter.lora.alpha"].Type);
    }

    /// <summary>
    /// llama.cpp's own adapter through our training forward (base + scale · B A, unmerged) against our runtime on the
    /// weights llama-export-lora merged: the factor layout and the alpha / rank scale are read the way llama.cpp reads them.
    /// </summary>
    [SharedFact]
    public void LlamaCppAdapterThroughTheTrainingForwardMatchesLlamaCppMergedWeights()
    {
        using var baseModel = LanguageModel.Load(TestPaths.Model("tiny-llama-F32.gguf"), 1);
        using var merged = LanguageModel.Load(TestPaths.Model("tiny-llama-lora-merged-F32.gguf"), 1);
        var adapter = AdapterFiles.Read(TestPaths.Model("tiny-llama-lora-F32.gguf"), baseModel.Parameters,
            [LoraTarget.Query, LoraTarget.Value, LoraTarget.Up]);
        var training = new LoraTrainingModel(baseModel.Parameters, baseModel.Weights, adapter, 64);
        var prompt = baseModel.Tokenizer.Encode("Once upon a time, there was a little dog", addSpecial: true);
        var expected = merged.CreateContext(64).Evaluate(prompt).ToArray();
        var actual = training.NextTokenLogits(prompt).ToArray();
        var withoutAdapter = new LoraTrainingModel(baseModel.Parameters, baseModel.Weights,
            LoraAdapter.Create(baseModel.Parameters, adapter.Settings, 0), 64).NextTokenLogits(prompt).ToArray();
        Assert.True(MaxDifference(expected, withoutAdapter) > 0.5, "the adapter should change the logits noticeably");
        Assert.True(MaxDifference(expected, actual) < 5e-3, $"max |logit diff| {MaxDifference(expected, actual)}");
    }

    /// <summary>
    /// Our exported adapter read back, unmerged, through the training forward, against the same adapter merged into the
    /// weights by the runtime's merger (evaluated by both engines).
    /// </summary>
    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void ExportedAdapterGivesTheSameLogitsAsMergedWeights(GgmlType type)
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var settings = new LoraSettings(4, 8, 0, LoraSettings.DefaultTargets);
        LoraGgufExporter.Write(dir.File("adapter.gguf"), RandomAdapter(model, settings), "llama", type);
        var adapter = AdapterFiles.Read(dir.File("adapter.gguf"), model.Parameters, settings.Targets);
        using (var loaded = Runtime.Lora.LoraAdapter.Load(dir.File("adapter.gguf"), model))
            LoraMerger.Merge(Stories.ModelPath, [new ScaledLoraAdapter(loaded, 1)], dir.File("merged.gguf"), MergedTensorType.F32);
        using var merged = LanguageModel.Load(dir.File("merged.gguf"), 1);
        var prompt = model.Tokenizer.Encode("User: Where did Tom go?\nBot:", addSpecial: true);

        var unmerged = new LoraTrainingModel(model.Parameters, model.Weights, adapter, 64).NextTokenLogits(prompt).ToArray();
        var mergedTraining = new LoraTrainingModel(merged.Parameters, merged.Weights, LoraAdapter.Create(merged.Parameters, settings, 0), 64)
            .NextTokenLogits(prompt).ToArray();
        var mergedRuntime = merged.CreateContext(64).Evaluate(prompt).ToArray();
        var baseRuntime = model.CreateContext(64).Evaluate(prompt).ToArray();

        Assert.True(MaxDifference(baseRuntime, mergedRuntime) > 0.5, "the adapter should change the logits noticeably");
        Assert.True(MaxDifference(unmerged, mergedTraining) < 1e-3, $"training forward: max |logit diff| {MaxDifference(unmerged, mergedTraining)}");
        Assert.True(MaxDifference(unmerged, mergedRuntime) < 2e-2, $"runtime: max |logit diff| {MaxDifference(unmerged, mergedRuntime)}");
    }

    /// <summary>
    /// An adapter trained on the demo format, exported, loaded by the runtime's adapter loader and applied unmerged: the
    /// greedy answer equals the one from weights merged with it, and is the trained answer.
    /// </summary>
    [Fact]
    public void ExportedAdapterLoadsInTheRuntimeAndGivesTheSameGreedyOutputAsMergedWeights()
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var examples = Stories.Examples(Stories.DemoEncoder(model),
            ("Sue has a red kite. What is the kite like?", "The kite is red."), ("Tom found a cat. Who found the cat?", "Tom found the cat."));
        var options = new TrainingOptions { Epochs = 30, LearningRate = 1e-2f, WarmupSteps = 3, GradientAccumulation = 1, RowTokens = 128 };
        var trainer = new LoraTrainer(model.Parameters, model.Weights, "stories260K", new LoraSettings(4, 8, 0, LoraSettings.DefaultTargets), options, examples, []);
        Assert.True(trainer.Run(null, null, CancellationToken.None));
        LoraGgufExporter.Write(dir.File("adapter.gguf"), trainer.Adapter, "llama", GgmlType.F32);

        using var loaded = Runtime.Lora.LoraAdapter.Load(dir.File("adapter.gguf"), model);
        LoraMerger.Merge(Stories.ModelPath, [new ScaledLoraAdapter(loaded, 1)], dir.File("merged.gguf"), MergedTensorType.F32);
        using var merged = LanguageModel.Load(dir.File("merged.gguf"), 1);
        var prompt = model.Tokenizer.Encode("User: Sue has a red kite. What is the kite like?\nBot:", addSpecial: true);
        var withAdapter = model.CreateContext(64);
        withAdapter.Adapters = new LoraSelection([new ScaledLoraAdapter(loaded, 1)]);
        var adapted = Greedy(withAdapter, prompt, 12);
        Assert.Equal(Greedy(merged.CreateContext(64), prompt, 12), adapted);
        Assert.StartsWith("The kite is red.\n", model.Tokenizer.Decode(adapted), StringComparison.Ordinal);
        Assert.NotEqual(Greedy(model.CreateContext(64), prompt, 12), adapted);
    }

    private static int[] Greedy(InferenceContext context, int[] prompt, int count)
    {
        var generated = new List<int>();
        var logits = context.Evaluate(prompt);
        for (var i = 0; i < count; i++)
        {
            var next = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
            generated.Add(next);
            logits = context.Evaluate([next]);
        }
        return generated.ToArray();
    }

    private static LoraAdapter RandomAdapter(LanguageModel model, LoraSettings settings)
    {
        var adapter = LoraAdapter.Create(model.Parameters, settings, seed: 9);
        var random = new Random(10);
        foreach (var pair in adapter.Pairs)
            for (var i = 0; i < pair.B.Length; i++) pair.B[i] = (float)(random.NextDouble() - 0.5) * 0.5f;
        return adapter;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b).Max(v => Math.Abs(v.First - v.Second));
}
