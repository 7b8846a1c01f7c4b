using ChatEngine.Runtime.Model;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests;

/// <summary>
/// A batched forward pass must give every sequence exactly (bit for bit) the logits it gets when evaluated alone
/// through <see cref="InferenceContext"/>, whatever else shares the batch: other sequences' prompts and decode tokens,
/// chunk boundaries falling inside a sequence, logits for some tokens and not others.
/// </summary>
public sealed class BatchedEvaluationTests
{
    private static readonly int[][] Prompts =
    [
        Tokens(5, seed: 1),
        Tokens(70, seed: 2),
        Tokens(131, seed: 3),
    ];

    private static readonly int[] DecodeTokens = [17, 250, 3, 99];

    /// <summary>The same on models only in ../shared (skipped with a message without it).</summary>
    [SharedTheory]
    [InlineData("tiny-llama-F32.gguf")]
    [InlineData("tiny-llama-Q4_0.gguf")]
    [InlineData("tiny-qwen2-Q8_0.gguf")]
    public void Each_sequence_of_a_batch_gets_its_solo_logits_bit_for_bit_on_shared_models(string modelFile) => Each_sequence_of_a_batch_gets_its_solo_logits_bit_for_bit(modelFile);

    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("tiny-llama-Q8_0.gguf")]
    [InlineData("tiny-llama-Q4_K_M.gguf")]
    public void Each_sequence_of_a_batch_gets_its_solo_logits_bit_for_bit(string modelFile)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        var vocab = model.Parameters.VocabSize;
        var solo = Prompts.Select(prompt => SoloLogits(model, prompt)).ToArray();

        var transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        var caches = Prompts.Select(_ => new KvCache(model.Parameters, 256)).ToArray();
        var batch = new TokenBatch(vocab);
        var logits = new float[Prompts.Length * vocab];

        // Step 1: all of prompt 0, the first 40 tokens of prompt 1 (no logits), all of prompt 2 (spans two chunks).
        var row0 = batch.Add(caches[0], Prompts[0], BatchLogits.Last);
        Assert.Equal(-1, batch.Add(caches[1], Prompts[1].AsSpan(0, 40), BatchLogits.None));
        var row2 = batch.Add(caches[2], Prompts[2], BatchLogits.Last);
        Assert.Equal(Prompts[0].Length + 40 + Prompts[2].Length, batch.Count);
        transformer.Evaluate(batch, logits);
        AssertRow(solo[0][0], logits, row0, vocab);
        AssertRow(solo[2][0], logits, row2, vocab);

        // Step 2: decode tokens of sequences 0 and 2 with the rest of prompt 1 between them.
        batch.Clear();
        row0 = batch.Add(caches[0], DecodeTokens.AsSpan(0, 1), BatchLogits.Last);
        var row1 = batch.Add(caches[1], Prompts[1].AsSpan(40), BatchLogits.Last);
        row2 = batch.Add(caches[2], DecodeTokens.AsSpan(0, 1), BatchLogits.Last);
        transformer.Evaluate(batch, logits);
        AssertRow(solo[0][1], logits, row0, vocab);
        AssertRow(solo[1][0], logits, row1, vocab);
        AssertRow(solo[2][1], logits, row2, vocab);

        // Then everyone decodes together (sequence 1 one step behind).
        for (var step = 1; step < DecodeTokens.Length; step++)
        {
            batch.Clear();
            var rows = new int[3];
            rows[2] = batch.Add(caches[2], DecodeTokens.AsSpan(step, 1), BatchLogits.Last);
            rows[1] = batch.Add(caches[1], DecodeTokens.AsSpan(step - 1, 1), BatchLogits.Last);
            rows[0] = batch.Add(caches[0], DecodeTokens.AsSpan(step, 1), BatchLogits.Last);
            transformer.Evaluate(batch, logits);
            AssertRow(solo[0][step + 1], logits, rows[0], vocab);
            AssertRow(solo[1][step], logits, rows[1], vocab);
            AssertRow(solo[2][step + 1], logits, rows[2], vocab);
        }
        Assert.Equal(Prompts[1].Length + DecodeTokens.Length - 1, caches[1].Length);
    }

    /// <summary>The same on models only in ../shared (skipped with a message without it).</summary>
    [SharedTheory]
    [InlineData("tiny-llama-F32.gguf")]
    public void Sequences_cut_by_chunk_boundaries_keep_their_solo_summation_order_on_shared_models(string modelFile) => Sequences_cut_by_chunk_boundaries_keep_their_solo_summation_order(modelFile);

    /// <summary>
    /// A 64-token prompt behind a decode token spills its last token alone into the next forward chunk, and a
    /// 65-token prompt ends with a one-token chunk even alone: both must keep the order of their solo evaluation
    /// (F32 weights sum one token's products differently from several tokens').
    /// </summary>
    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("tiny-llama-Q8_0.gguf")]
    public void Sequences_cut_by_chunk_boundaries_keep_their_solo_summation_order(string modelFile)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        var vocab = model.Parameters.VocabSize;
        int[][] prompts = [Tokens(9, seed: 5), Tokens(64, seed: 6), Tokens(65, seed: 7)];
        var solo = prompts.Select(prompt => SoloLogits(model, prompt)).ToArray();

        var transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        var caches = prompts.Select(_ => new KvCache(model.Parameters, 256)).ToArray();
        var batch = new TokenBatch(vocab);
        var logits = new float[prompts.Length * vocab];
        transformer.Evaluate(caches[0], prompts[0], logits);

        var row0 = batch.Add(caches[0], DecodeTokens.AsSpan(0, 1), BatchLogits.Last);
        var row1 = batch.Add(caches[1], prompts[1], BatchLogits.Last);
        var row2 = batch.Add(caches[2], prompts[2], BatchLogits.Last);
        transformer.Evaluate(batch, logits);

        AssertRow(solo[0][1], logits, row0, vocab);
        AssertRow(solo[1][0], logits, row1, vocab);
        AssertRow(solo[2][0], logits, row2, vocab);
        Assert.Equal(SummationOrder.SingleTokenAttention | SummationOrder.SingleTokenLayers, caches[0].OrderAt(prompts[0].Length));
        Assert.Equal(SummationOrder.Batch, caches[1].OrderAt(63));
        Assert.Equal(SummationOrder.SingleTokenLayers, caches[2].OrderAt(64));
    }

    [Fact]
    public void A_prompt_split_over_batches_computes_what_one_evaluation_of_it_computes()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 2);
        var vocab = model.Parameters.VocabSize;
        var prompt = Prompts[2];
        var expected = model.CreateContext(256).Evaluate(prompt).ToArray();

        var transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        var cache = new KvCache(model.Parameters, 256);
        var batch = new TokenBatch(vocab);
        var logits = new float[vocab];
        foreach (var (offset, count) in new[] { (0, 40), (40, 1), (41, 89), (130, 1) })
        {
            batch.Clear();
            var last = offset + count == prompt.Length;
            batch.Add(cache, prompt.AsSpan(offset, count), last ? BatchLogits.Last : BatchLogits.None, offset, prompt.Length);
            transformer.Evaluate(batch, logits);
        }

        Assert.Equal(expected, logits);
        Assert.Equal(SummationOrder.Batch, cache.OrderAt(40));
        Assert.Equal(TokenBatch.KvOrder(130, prompt.Length), cache.OrderAt(130));
    }

    [Fact]
    public void Logits_for_every_token_of_a_batched_sequence_equal_its_solo_logits()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-llama-Q8_0.gguf"), threads: 2);
        var vocab = model.Parameters.VocabSize;
        var prompt = Prompts[1];
        var expected = new float[prompt.Length * vocab];
        model.CreateContext(256).EvaluateAll(prompt, expected);

        var transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        var batch = new TokenBatch(vocab);
        batch.Add(new KvCache(model.Parameters, 256), Prompts[0], BatchLogits.None);
        var first = batch.Add(new KvCache(model.Parameters, 256), prompt, BatchLogits.All);
        var logits = new float[batch.LogitRows * vocab];
        transformer.Evaluate(batch, logits);

        Assert.Equal(0, first);
        Assert.Equal(prompt.Length, batch.LogitRows);
        Assert.Equal(expected, logits);
    }

    [Fact]
    public void Bad_batches_are_rejected_before_any_work()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        var cache = new KvCache(model.Parameters, 8);
        var batch = new TokenBatch(model.Parameters.VocabSize);

        Assert.Throws<ContextOverflowException>(() => batch.Add(cache, Tokens(9, seed: 4), BatchLogits.Last));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(cache, [1, model.Parameters.VocabSize], BatchLogits.Last));
        batch.Add(cache, [1, 2], BatchLogits.Last);
        Assert.Throws<ArgumentException>(() => batch.Add(cache, [3], BatchLogits.Last));
        Assert.Throws<ArgumentException>(() => transformer.Evaluate(batch, new float[model.Parameters.VocabSize - 1]));

        transformer.Evaluate(batch, new float[model.Parameters.VocabSize]);
        Assert.Equal(2, cache.Length);
        Assert.Throws<InvalidOperationException>(() => transformer.Evaluate(batch, new float[model.Parameters.VocabSize]));
    }

    /// <summary>Logits after the prompt, then after each of <see cref="DecodeTokens"/>, from a context of its own.</summary>
    private static float[][] SoloLogits(LanguageModel model, int[] prompt)
    {
        var context = model.CreateContext(256);
        var steps = new List<float[]> { context.Evaluate(prompt).ToArray() };
        foreach (var token in DecodeTokens) steps.Add(context.Evaluate([token]).ToArray());
        return [.. steps];
    }

    private static void AssertRow(float[] expected, float[] logits, int row, int vocab) =>
        Assert.Equal(expected, logits.AsSpan(row * vocab, vocab).ToArray());

    private static int[] Tokens(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(3, 500)).ToArray();
    }
}
