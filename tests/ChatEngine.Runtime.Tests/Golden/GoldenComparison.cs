using ChatEngine.Runtime.Lora;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Golden;

/// <summary>Teacher-forced comparison of our next-token distributions with llama.cpp's golden ones.</summary>
internal static class GoldenComparison
{
    public sealed record Result(double MaxProbDiff, double MaxLogitDiff, int Steps, int Top1Checked, IReadOnlyList<string> Top1Mismatches);

    public static Result Compare(LanguageModel model, NextTokenGolden golden, double tieTolerance, LoraSelection? adapters = null)
    {
        double maxProb = 0, maxLogit = 0;
        var steps = 0;
        var top1Checked = 0;
        var mismatches = new List<string>();
        foreach (var run in golden.Runs)
        {
            // As llama.cpp produced the data: the prompt as one batch, then one token per evaluation (the summation
            // order of some kernels depends on whether a batch or a single token is evaluated).
            var context = model.CreateContext(run.PromptIds.Length + run.GeneratedIds.Length);
            context.Adapters = adapters ?? LoraSelection.None;
            var row = context.Evaluate(run.PromptIds).ToArray();
            for (var s = 0; s < run.Steps.Length; s++)
            {
                var step = run.Steps[s];
                if (s > 0) row = context.Evaluate([run.GeneratedIds[s - 1]]).ToArray();
                var probs = Softmax(row);
                foreach (var (id, prob) in step.Top) maxProb = Math.Max(maxProb, Math.Abs(probs[id] - prob));
                foreach (var (id, logit) in step.TopLogits) maxLogit = Math.Max(maxLogit, Math.Abs(row[id] - logit));
                if (step.Top1Top2Margin > tieTolerance)
                {
                    top1Checked++;
                    var ours = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
                    if (ours != step.Top[0].Id) mismatches.Add($"'{run.Prompt}' step {s}: ours {ours}, llama.cpp {step.Top[0].Id}");
                }
                steps++;
            }
        }
        return new Result(maxProb, maxLogit, steps, top1Checked, mismatches);
    }

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var result = new double[logits.Length];
        double sum = 0;
        for (var i = 0; i < logits.Length; i++) sum += result[i] = Math.Exp(logits[i] - max);
        for (var i = 0; i < result.Length; i++) result[i] /= sum;
        return result;
    }
}
