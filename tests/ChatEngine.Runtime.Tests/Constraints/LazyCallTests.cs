using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Constraints;

/// <summary>A lazy call grammar on a real vocabulary (stories260K, byte fallback): tokens are free until the trigger
/// appears (also split over tokens), then only a valid call may follow, then tokens are free again for the next one.</summary>
public sealed class LazyCallTests
{
    private const string Trigger = "<tool_call>";
    private const string Schema = """{"type":"object","properties":{"city":{"type":"string","maxLength":12},"days":{"type":"integer"}},"required":["city"]}""";

    private static readonly CallShape Weather = new("<tool_call>{\"name\": \"get_weather\", \"arguments\": ", JsonDocument.Parse(Schema).RootElement, "}</tool_call>");

    [Fact]
    public void Calls_after_free_text_are_forced_valid_and_the_text_between_them_is_free()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var tokenizer = model.Tokenizer;
        var stage = new JsonConstraintStage(JsonGrammar.LazyCall([Weather], Trigger), TokenTrie.For(tokenizer));
        var candidates = new CandidateList(tokenizer.VocabSize);
        var logits = new float[tokenizer.VocabSize];
        var random = new Random(3);
        var output = new List<byte>();

        int AllowedCount()
        {
            candidates.Load(logits);
            stage.Apply(candidates);
            return candidates.Count;
        }

        void Write(string text)
        {
            foreach (var token in tokenizer.Encode(text, addSpecial: false))
            {
                Assert.Equal(tokenizer.VocabSize, AllowedCount());
                stage.Advance(token);
                output.AddRange(TokenTrie.For(tokenizer).Piece(token).ToArray());
            }
        }

        for (var call = 0; call < 12; call++)
        {
            Write(call % 2 == 0 ? "Let me check the weather. " : "And <tool another one ");
            Write(Trigger);
            // From here on only the call: the model (random choices among what the stage keeps) must finish it.
            var steps = 0;
            while (AllowedCount() < tokenizer.VocabSize)
            {
                Assert.True(++steps < 400, $"the call did not end: {Encoding.UTF8.GetString([.. output])}");
                var chosen = candidates.Items[random.Next(candidates.Count)].Id;
                Assert.False(tokenizer.IsEndOfGeneration(chosen), "end of generation inside a call");
                stage.Advance(chosen);
                output.AddRange(TokenTrie.For(tokenizer).Piece(chosen).ToArray());
            }
            Assert.False(stage.IsFinished);
        }

        var text = new UTF8Encoding(false, true).GetString([.. output]);
        var calls = text.Split(Trigger)[1..];
        Assert.Equal(12, calls.Length);
        foreach (var call in calls)
        {
            var body = call[..(call.IndexOf("</tool_call>", StringComparison.Ordinal))];
            Assert.StartsWith("{\"name\": \"get_weather\", \"arguments\": ", body);
            using var arguments = JsonDocument.Parse(body["{\"name\": \"get_weather\", \"arguments\": ".Length..^1]);
            Assert.True(SchemaValidator.Validate(arguments.RootElement, JsonDocument.Parse(Schema).RootElement) is null, call);
        }
    }

    [Fact]
    public void Openings_must_begin_with_the_trigger() =>
        Assert.Throws<ArgumentException>(() => JsonGrammar.LazyCall([Weather with { Opening = "{\"name\": \"get_weather\", \"arguments\": " }], Trigger));
}
