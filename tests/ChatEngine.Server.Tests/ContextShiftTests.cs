using System.Runtime.InteropServices;
using System.Text.Json;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Model;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Runtime.Serving;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// Context shift (llama-server's <c>--context-shift</c>): a sequence that fills its context drops older tokens after
/// the kept start and goes on, its cached keys rotated back to their new positions.
/// </summary>
public sealed class ContextShiftTests
{
    /// <summary>
    /// The first layer's keys depend only on the token and its position (their input is the embedding), so after a
    /// shift they must equal the keys a fresh evaluation of the kept tokens computes at the new positions, up to F16
    /// rounding of the cache; its values carry no position and must be the same bytes.
    /// </summary>
    [Fact]
    public void Shifted_first_layer_keys_equal_a_fresh_evaluation_at_the_new_positions()
    {
        using var model = LanguageModel.Load(TestServer.ModelPath, threads: 1);
        var tokens = model.Tokenizer.Encode("Once upon a time there was a little girl who liked to play in the park with her dog.", addSpecial: true);
        const int keep = 1, discard = 7;
        var logits = new float[tokens.Length * model.Parameters.VocabSize];
        var shifted = model.CreateContext(64);
        shifted.EvaluateAll(tokens, logits);
        new Transformer(model.Parameters, model.Weights, model.Pool).ShiftContext(shifted.Cache, keep, discard);
        var fresh = model.CreateContext(64);
        fresh.EvaluateAll([.. tokens[..keep], .. tokens[(keep + discard)..]], logits);

        Assert.Equal(fresh.Cache.Length, shifted.Cache.Length);
        var rows = shifted.Cache.Length * shifted.Cache.RowSize;
        var shiftedKeys = MemoryMarshal.Cast<byte, Half>(shifted.Cache.Keys[0].AsSpan())[..rows];
        var freshKeys = MemoryMarshal.Cast<byte, Half>(fresh.Cache.Keys[0].AsSpan())[..rows];
        var worst = 0f;
        for (var i = 0; i < rows; i++)
            worst = Math.Max(worst, Math.Abs((float)shiftedKeys[i] - (float)freshKeys[i]) / Math.Max(1f, Math.Abs((float)freshKeys[i])));
        Assert.True(worst < 4e-3f, $"largest relative key difference {worst}");
        Assert.Equal(fresh.Cache.Values[0].AsSpan(0, shifted.Cache.Length * shifted.Cache.ValueRowBytes).ToArray(),
            shifted.Cache.Values[0].AsSpan(0, shifted.Cache.Length * shifted.Cache.ValueRowBytes).ToArray());
        // Without the rotation the moved keys would be those of their old positions.
        var unrotated = MemoryMarshal.Cast<byte, Half>(shifted.Cache.Keys[0].AsSpan())[(keep * shifted.Cache.RowSize)..rows];
        Assert.NotEqual(freshKeys[(keep * shifted.Cache.RowSize)..].ToArray(), unrotated.ToArray());
    }

    /// <summary>The scheduler: a job asking for more tokens than its context holds runs to its limit through several
    /// shifts (each dropping half of what follows the kept start); until the first shift its tokens are those of a
    /// context big enough to need none; afterwards the slot offers no more than the kept start for reuse.</summary>
    [Fact]
    public async Task A_sequence_longer_than_its_context_runs_to_its_limit_through_shifts()
    {
        using var model = LanguageModel.Load(TestServer.ModelPath, threads: 1);
        var prompt = model.Tokenizer.Encode("Once upon a time", addSpecial: true);
        var greedy = new GenerationOptions { MaxTokens = 200, Sampling = SamplingOptions.Greedy, IgnoreEndOfGeneration = true };

        using var small = new InferenceScheduler(model, 1, 64, 4);
        Assert.Throws<ContextOverflowException>(() => small.TrySubmit(new GenerationJob(prompt, greedy, default)));
        var job = new GenerationJob(prompt, greedy with { ContextShiftKeep = 1 }, default);
        Assert.True(small.TrySubmit(job));
        var shiftedTokens = await Tokens(job);

        using var large = new InferenceScheduler(model, 1, 256, 4);
        var reference = new GenerationJob(prompt, greedy, default);
        Assert.True(large.TrySubmit(reference));
        var referenceTokens = await Tokens(reference);

        Assert.Equal(200, shiftedTokens.Count);
        var untilFirstShift = 64 - prompt.Length;
        Assert.Equal(referenceTokens[..untilFirstShift], shiftedTokens[..untilFirstShift]);
        // 64 positions, 1 kept: each shift drops 31, the first after 64 - prompt tokens, then every 31.
        var shifts = 1 + (200 - untilFirstShift - 1) / 31;
        Assert.Equal((shifts, shifts * 31), (job.ContextShifts, job.DiscardedTokens));

        var again = new GenerationJob(prompt, greedy with { MaxTokens = 4 }, default);
        Assert.True(small.TrySubmit(again));
        await Tokens(again);
        Assert.True(again.CachedPromptTokens <= 1, $"{again.CachedPromptTokens} prompt tokens reused from a shifted cache");
    }

    private static async Task<List<int>> Tokens(GenerationJob job)
    {
        var tokens = new List<int>();
        await foreach (var token in job.ReadAllAsync()) tokens.Add(token.Id);
        return tokens;
    }

    /// <summary>Through HTTP: without <c>--context-shift</c> max_tokens past the context is refused; with it the
    /// answer has all the tokens asked for and says how many were dropped.</summary>
    [Fact]
    public async Task The_server_shifts_only_when_asked_and_reports_the_shifts()
    {
        const string body = """{"messages":[{"role":"system","content":"Tell a story."},{"role":"user","content":"Go"}],"max_tokens":300,"ignore_eos":true,"temperature":0}""";
        await using (var plain = await TestServer.StartAsync(o => o with { ContextSize = 128 }))
        {
            using var refused = await plain.PostJsonAsync("/v1/chat/completions", body);
            Assert.Equal("context_length_exceeded", (await OpenAiError.ReadAsync(refused, 400)).GetProperty("code").GetString());
        }
        await using var server = await TestServer.StartAsync(o => o with { ContextSize = 128, ContextShift = true });
        var answer = await server.PostForJsonAsync("/v1/chat/completions", body);
        var usage = answer.GetProperty("usage");
        Assert.Equal(300, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var shift = usage.GetProperty("context_shift");
        Assert.True(shift.GetProperty("shifts").GetInt32() >= 2, usage.ToString());
        Assert.True(shift.GetProperty("discarded_tokens").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Object, shift.ValueKind);
    }
}
