using ChatEngine.Kernels.Quants;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests;

public sealed class HiddenStateTests
{
    /// <summary>
    /// The final hidden state is the vector the output head turns into logits: each one's dot product with an output
    /// row (dequantized here, summed in double) gives llama.cpp's golden logit for that token at that position.
    /// </summary>
    [Fact]
    public void Hidden_states_times_the_output_rows_give_llama_cpp_logits()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 2);
        var embd = model.Parameters.EmbeddingSize;
        var output = model.Weights.Output;
        var row = new float[embd];
        var checkedLogits = 0;
        foreach (var run in NextTokenGolden.Load("nexttok-stories260K.json").Runs)
        {
            var tokens = run.PromptIds.Concat(run.GeneratedIds).ToArray();
            var hidden = new float[tokens.Length * embd];
            model.CreateContext(tokens.Length).EvaluateHiddenStates(tokens, hidden);
            for (var s = 0; s < run.Steps.Length; s++)
            {
                var state = hidden.AsSpan((run.PromptIds.Length - 1 + s) * embd, embd);
                foreach (var (id, logit) in run.Steps[s].TopLogits)
                {
                    QuantFormats.Dequantize(output.Type, output.Row(id), row);
                    double dot = 0;
                    for (var i = 0; i < embd; i++) dot += (double)state[i] * row[i];
                    Assert.True(Math.Abs(dot - logit) < 1e-2, $"'{run.Prompt}' step {s} token {id}: {dot} vs llama.cpp {logit}");
                    checkedLogits++;
                }
            }
        }
        Assert.True(checkedLogits > 100, $"only {checkedLogits} logits checked");
    }

    [Fact]
    public void Hidden_states_advance_the_cache_like_evaluate_and_span_several_batches()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 2);
        var tokens = model.Tokenizer.Encode(File.ReadAllText(TestPaths.Golden("story.txt"))[..600], addSpecial: true)[..150];
        var viaHidden = model.CreateContext(160);
        var viaLogits = model.CreateContext(160);

        viaHidden.EvaluateHiddenStates(tokens, new float[tokens.Length * model.Parameters.EmbeddingSize]);
        viaLogits.Evaluate(tokens);

        Assert.Equal(tokens.Length, viaHidden.Position);
        Assert.Equal(viaLogits.Evaluate([tokens[0]]).ToArray(), viaHidden.Evaluate([tokens[0]]).ToArray());
    }
}
