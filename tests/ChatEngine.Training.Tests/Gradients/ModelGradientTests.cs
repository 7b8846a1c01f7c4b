using ChatEngine.Gguf;
using ChatEngine.Kernels.Ops;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;
using Xunit;

namespace ChatEngine.Training.Tests.Gradients;

/// <summary>The whole forward/backward chain (embedding → blocks → head → loss) against finite differences of the LoRA weights.</summary>
public sealed class ModelGradientTests
{
    [Theory]
    [InlineData(RopeMode.Normal, false, 0f, 1)]
    [InlineData(RopeMode.NeoX, true, 0f, 3)]
    [InlineData(RopeMode.Normal, false, 0.2f, 2)]
    public void EveryLoraWeightGetsTheFiniteDifferenceGradient(RopeMode mode, bool biases, float dropout, int threads)
    {
        using var tiny = new TinyModels(11);
        var p = TinyModels.Parameters(mode);
        var weights = tiny.Weights(p, GgmlType.F32, biases);
        var adapter = LoraAdapter.Create(p, new LoraSettings(2, 4, dropout, LoraSettings.DefaultTargets), seed: 3);
        foreach (var pair in adapter.Pairs) tiny.Gaussian(pair.B.Length, 0.3f).CopyTo(pair.B, 0);
        var model = new LoraTrainingModel(p, weights, adapter, 16, threads);
        var sequence = new PackedSequence([Example([1, 5, 9, 2, 4, 7], 2), Example([3, 8, 6, 11, 12], 1)]);

        double Loss() => model.Train(sequence, 0, new Random(4));
        adapter.ClearGradients();
        model.Train(sequence, 1, new Random(4));
        foreach (var pair in adapter.Pairs)
        {
            var gradA = (float[])pair.GradA.Clone();
            var gradB = (float[])pair.GradB.Clone();
            GradientCheck.Verify($"{pair.BaseTensorName}.lora_a", pair.A, gradA, Loss, Enumerable.Range(0, 6).Select(i => i * 7 % pair.A.Length));
            GradientCheck.Verify($"{pair.BaseTensorName}.lora_b", pair.B, gradB, Loss, Enumerable.Range(0, 6).Select(i => i * 5 % pair.B.Length));
        }
    }

    private static TrainingExample Example(int[] tokens, int promptLength) =>
        new(0, tokens, tokens.Select((_, i) => i >= promptLength).ToArray());
}
