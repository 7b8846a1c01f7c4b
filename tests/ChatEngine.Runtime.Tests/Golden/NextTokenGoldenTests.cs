using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Golden;

public sealed class NextTokenGoldenTests(ITestOutputHelper output)
{
    /// <summary>
    /// Tolerances per golden/README.md "Advised tolerances": F32 top-10 probs 2e-3; quantized weights (we quantize
    /// activations like llama.cpp does) 5e-3; BF16 weights carry ~1e-2 relative logit error.
    /// </summary>
    public static TheoryData<string, string, double, double> Models => new()
    {
        { "stories260K.gguf", "nexttok-stories260K.json", 2e-3, 3e-2 },
        { "tiny-llama-F32.gguf", "nexttok-tiny-llama-F32.json", 2e-3, 5e-3 },
        { "tiny-llama-F16.gguf", "nexttok-tiny-llama-F16.json", 3e-3, 1e-2 },
        { "tiny-llama-BF16.gguf", "nexttok-tiny-llama-BF16.json", 5e-3, 3e-2 },
        { "tiny-llama-Q8_0.gguf", "nexttok-tiny-llama-Q8_0.json", 5e-3, 2e-2 },
        { "tiny-llama-Q4_0.gguf", "nexttok-tiny-llama-Q4_0.json", 5e-3, 2e-2 },
        { "tiny-llama-Q4_1.gguf", "nexttok-tiny-llama-Q4_1.json", 5e-3, 2e-2 },
        { "tiny-llama-Q5_0.gguf", "nexttok-tiny-llama-Q5_0.json", 5e-3, 2e-2 },
        { "tiny-llama-Q2_K.gguf", "nexttok-tiny-llama-Q2_K.json", 5e-3, 2e-2 },
        { "tiny-llama-Q4_K_S.gguf", "nexttok-tiny-llama-Q4_K_S.json", 5e-3, 2e-2 },
        { "tiny-llama-Q4_K_M.gguf", "nexttok-tiny-llama-Q4_K_M.json", 5e-3, 2e-2 },
        { "tiny-llama-Q5_K_S.gguf", "nexttok-tiny-llama-Q5_K_S.json", 5e-3, 2e-2 },
        { "tiny-llama-Q6_K.gguf", "nexttok-tiny-llama-Q6_K.json", 5e-3, 2e-2 },
        { "tiny-llama-lora-merged-F32.gguf", "nexttok-tiny-llama-F32-lora-merged.json", 2e-3, 5e-3 },
        { "tiny-qwen2-F32.gguf", "nexttok-tiny-qwen2-F32.json", 2e-3, 1e-2 },
        { "tiny-qwen2-Q8_0.gguf", "nexttok-tiny-qwen2-Q8_0.json", 5e-3, 2e-2 },
        { "tiny-qwen2-Q4_K_M.gguf", "nexttok-tiny-qwen2-Q4_K_M.json", 5e-3, 2e-2 },
    };

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void Teacher_forced_distributions_match_llama_cpp(string modelFile, string goldenFile, double probTolerance, double logitTolerance) =>
        AssertMatches(modelFile, goldenFile, probTolerance, logitTolerance);

    [Theory]
    [InlineData("stories260K.gguf", "nexttok-stories260K.json", 2e-3, 3e-2)]
    [InlineData("tiny-llama-Q8_0.gguf", "nexttok-tiny-llama-Q8_0.json", 5e-3, 2e-2)]
    [InlineData("tiny-llama-Q4_K_M.gguf", "nexttok-tiny-llama-Q4_K_M.json", 5e-3, 2e-2)]
    public void Bundled_models_match_llama_cpp(string modelFile, string goldenFile, double probTolerance, double logitTolerance) =>
        AssertMatches(modelFile, goldenFile, probTolerance, logitTolerance);

    private void AssertMatches(string modelFile, string goldenFile, double probTolerance, double logitTolerance)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        var result = GoldenComparison.Compare(model, NextTokenGolden.Load(goldenFile), probTolerance);
        output.WriteLine($"{modelFile}: {result.Steps} steps, max |prob diff| {result.MaxProbDiff:E2}, max |logit diff| {result.MaxLogitDiff:E2}, top-1 checked {result.Top1Checked}");

        Assert.True(result.MaxProbDiff <= probTolerance, $"max |prob diff| {result.MaxProbDiff:E3} > {probTolerance:E1}");
        Assert.True(result.MaxLogitDiff <= logitTolerance, $"max |logit diff| {result.MaxLogitDiff:E3} > {logitTolerance:E1}");
        Assert.Empty(result.Top1Mismatches);
    }
}
