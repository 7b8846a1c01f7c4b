using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Golden;

/// <summary>
/// Prints max |logit diff| against llama.cpp per model, evaluated the way llama.cpp produced the golden data (prompt
/// as one batch, then one token per decode), split into the prompt step and the single-token steps. A diagnostic for
/// kernel work; it asserts nothing beyond having run.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class LogitDiffDiagnostics(ITestOutputHelper output)
{
    [SharedTheory]
    [InlineData("tiny-llama-Q5_K_S")]
    [InlineData("tiny-llama-Q8_0")]
    [InlineData("tiny-llama-Q4_0")]
    [InlineData("tiny-llama-Q4_1")]
    [InlineData("tiny-llama-Q5_0")]
    [InlineData("tiny-llama-Q2_K")]
    [InlineData("tiny-llama-Q4_K_S")]
    [InlineData("tiny-llama-Q4_K_M")]
    [InlineData("tiny-llama-Q6_K")]
    [InlineData("tiny-llama-BF16")]
    [InlineData("tiny-llama-F16")]
    [InlineData("tiny-llama-F32")]
    [InlineData("tiny-qwen2-F32")]
    [InlineData("stories260K")]
    [InlineData("tiny-qwen2-Q8_0")]
    [InlineData("tiny-qwen2-Q4_K_M")]
    public void Print_max_logit_diff(string model)
    {
        using var language = LanguageModel.Load(TestPaths.Model(model + ".gguf"), threads: 2);
        var golden = NextTokenGolden.Load($"nexttok-{model}.json");
        var vocab = language.Parameters.VocabSize;
        double promptStep = 0, laterSteps = 0;
        int exact = 0, bitExact = 0, total = 0;
        foreach (var run in golden.Runs)
        {
            var context = language.CreateContext(run.PromptIds.Length + run.GeneratedIds.Length);
            var logits = context.Evaluate(run.PromptIds).ToArray();
            var perStep = new List<string>();
            for (var s = 0; s < run.Steps.Length; s++)
            {
                var stepMax = 0.0;
                foreach (var (id, logit) in run.Steps[s].TopLogits) stepMax = Math.Max(stepMax, Math.Abs(logits[id] - logit));
                perStep.Add(stepMax.ToString("0.0e0"));
                total++;
                if (stepMax < 1e-5) exact++;
                if (stepMax < 2e-7) bitExact++;
                foreach (var (id, logit) in run.Steps[s].TopLogits)
                {
                    var diff = Math.Abs(logits[id] - logit);
                    if (s == 0) promptStep = Math.Max(promptStep, diff);
                    else laterSteps = Math.Max(laterSteps, diff);
                }
                if (s + 1 < run.Steps.Length) logits = context.Evaluate([run.GeneratedIds[s]]).ToArray();
            }
            Assert.Equal(vocab, logits.Length);
            output.WriteLine($"  {run.PromptIds.Length} prompt tokens: {string.Join(' ', perStep)}");
        }
        output.WriteLine($"{model}: prompt step {promptStep:E2}, single-token steps {laterSteps:E2}, steps without flips {exact}/{total}, bit-exact {bitExact}/{total}");
    }
}
