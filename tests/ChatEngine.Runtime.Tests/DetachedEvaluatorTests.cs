using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests;

public sealed class DetachedEvaluatorTests
{
    /// <summary>The same on models only in ../shared (skipped with a message without it).</summary>
    [SharedTheory]
    [InlineData("tiny-qwen2-F32.gguf")]
    public void Hidden_states_are_what_the_output_head_turns_into_the_logits_on_shared_models(string modelFile) => Hidden_states_are_what_the_output_head_turns_into_the_logits(modelFile);

    [Theory]
    [InlineData("stories260K.gguf")]
    public void Hidden_states_are_what_the_output_head_turns_into_the_logits(string modelFile)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 1);
        var tokens = model.Tokenizer.Encode("One day a little girl went to the park", addSpecial: true);
        var p = model.Parameters;
        var logits = new float[tokens.Length * p.VocabSize];
        model.CreateContext(tokens.Length).EvaluateAll(tokens, logits);
        var hidden = new float[tokens.Length * p.EmbeddingSize];
        var transformer = new Transformer(p, model.Weights, model.Pool);
        transformer.EvaluateHiddenStates(new KvCache(p, tokens.Length), tokens, hidden);

        var row = new float[p.EmbeddingSize];
        var output = model.Weights.Output;
        for (var id = 0; id < p.VocabSize; id += 7)
        {
            QuantFormats.Dequantize(output.Type, output.Row(id), row);
            for (var t = 0; t < tokens.Length; t++)
            {
                var logit = System.Numerics.Tensors.TensorPrimitives.Dot(row, hidden.AsSpan(t * p.EmbeddingSize, p.EmbeddingSize));
                Assert.Equal(logits[t * p.VocabSize + id], logit, 2e-3f);
            }
        }
    }

    [Fact]
    public void Embeddings_are_unit_mean_hidden_states_independent_of_earlier_calls()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        using var evaluator = new DetachedEvaluator(model, threads: 2);
        var p = model.Parameters;
        // Longer than one transformer batch, so the mean spans chunks.
        var tokens = model.Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("The cat sat on the mat and smiled.", 12)), addSpecial: true);
        Assert.True(tokens.Length > Transformer.MaxBatch);

        var hidden = new float[tokens.Length * p.EmbeddingSize];
        new Transformer(p, model.Weights, model.Pool).EvaluateHiddenStates(new KvCache(p, tokens.Length), tokens, hidden);
        var mean = new double[p.EmbeddingSize];
        for (var t = 0; t < tokens.Length; t++)
            for (var i = 0; i < mean.Length; i++) mean[i] += hidden[t * p.EmbeddingSize + i] / tokens.Length;
        var norm = Math.Sqrt(mean.Sum(v => v * v));

        evaluator.Embed(model.Tokenizer.Encode("something else first", addSpecial: true));
        var embedding = evaluator.Embed(tokens);

        Assert.Equal(p.EmbeddingSize, embedding.Length);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => (double)v * v)), 1e-5);
        for (var i = 0; i < mean.Length; i++) Assert.Equal(mean[i] / norm, embedding[i], 1e-4);
        Assert.Throws<ArgumentException>(() => evaluator.Embed([]));
    }

    [Fact]
    public void Scores_are_each_tokens_log_softmax_given_the_ones_before()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        using var evaluator = new DetachedEvaluator(model, threads: 1);
        var vocab = model.Parameters.VocabSize;
        var tokens = model.Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("Lily saw a big red ball.", 12)), addSpecial: true);
        Assert.True(tokens.Length > Transformer.MaxBatch + 1);
        var logits = new float[tokens.Length * vocab];
        model.CreateContext(tokens.Length).EvaluateAll(tokens, logits);

        var scores = evaluator.ScoreTokens(tokens, top: 2);

        Assert.Null(scores[0]);
        for (var i = 1; i < tokens.Length; i++)
        {
            var row = logits.AsSpan((i - 1) * vocab, vocab).ToArray();
            var max = row.Max();
            var logNormalizer = max + Math.Log(row.Sum(l => Math.Exp(l - max)));
            Assert.Equal(tokens[i], scores[i]!.Chosen.Id);
            Assert.Equal(row[tokens[i]] - logNormalizer, scores[i]!.Chosen.LogProbability, 1e-4);
            Assert.Equal(2, scores[i]!.Top.Count);
        }
        Assert.Null(Assert.Single(evaluator.ScoreTokens(tokens.AsSpan(0, 1), top: 2)));
    }
}
