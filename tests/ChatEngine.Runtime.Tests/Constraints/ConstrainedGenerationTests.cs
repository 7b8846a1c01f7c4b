using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Constraints;

/// <summary>Constrained decoding on real models and vocabularies (SentencePiece 512, GPT-2 BPE 50k): sampled at
/// temperature 1, every output is complete, parses, and validates against its schema.</summary>
public sealed class ConstrainedGenerationTests(ITestOutputHelper output)
{
    private const int MaxTokens = 300;

    /// <summary>The same on models only in ../shared (skipped with a message without it).</summary>
    [SharedTheory]
    [InlineData("tiny-qwen2-F32.gguf", 25)]
    public void Sampled_outputs_of_random_schemas_parse_and_validate_on_shared_models(string modelFile, int schemas) => Sampled_outputs_of_random_schemas_parse_and_validate(modelFile, schemas);

    [Theory]
    [InlineData("stories260K.gguf", 25)]
    public void Sampled_outputs_of_random_schemas_parse_and_validate(string modelFile, int schemas)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 1);
        var random = new Random(2024);
        var prompt = model.Tokenizer.Encode("Answer in JSON:", addSpecial: true);
        for (var s = 0; s < schemas; s++)
        {
            var schema = RandomSchemas.Object(random);
            var text = Generate(model, prompt, JsonGrammar.FromSchema(schema), (ulong)s, out var finish);
            Assert.True(finish == FinishReason.Stop, $"ran out of tokens: {text}");
            using var document = JsonDocument.Parse(text);
            Assert.True(SchemaValidator.Validate(document.RootElement, schema) is null,
                $"{SchemaValidator.Validate(document.RootElement, schema)}\nschema: {schema}\noutput: {text}");
        }
    }

    /// <summary>The same on models only in ../shared (skipped with a message without it).</summary>
    [SharedTheory]
    [InlineData("tiny-qwen2-F32.gguf", 40)]
    [InlineData("tiny-qwen2-F32.gguf", 8)]
    public void Json_objects_are_complete_within_the_token_limit_on_shared_models(string modelFile, int maxTokens) => Json_objects_are_complete_within_the_token_limit(modelFile, maxTokens);

    [Theory]
    [InlineData("stories260K.gguf", 40)]
    [InlineData("stories260K.gguf", 8)]
    public void Json_objects_are_complete_within_the_token_limit(string modelFile, int maxTokens)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 1);
        var prompt = model.Tokenizer.Encode("Once upon a time", addSpecial: true);
        for (var seed = 0UL; seed < 6; seed++)
        {
            var text = Generate(model, prompt, JsonGrammar.AnyObject, seed, out var finish, maxTokens);
            Assert.True(finish == FinishReason.Stop, $"not finished in {maxTokens} tokens: {text}");
            using var document = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
    }

    /// <summary>Forced calls sampled at temperature 1 with a reasoning block first allowed: within the token limit
    /// (also a tight one, which must cut the reasoning short) every output is one complete call of an offered function
    /// whose arguments validate.</summary>
    [Theory]
    [InlineData("stories260K.gguf", 300)]
    [InlineData("stories260K.gguf", 120)]
    public void Forced_calls_are_complete_and_valid_within_the_token_limit(string modelFile, int maxTokens)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 1);
        var random = new Random(31);
        var prompt = model.Tokenizer.Encode("Call a tool:", addSpecial: true);
        for (var s = 0; s < 8; s++)
        {
            var schemas = new[] { RandomSchemas.Object(random), RandomSchemas.Object(random) };
            var shapes = schemas.Select((schema, i) => new CallShape($"<tool_call>{{\"name\": \"f{i}\", \"arguments\": ", schema, "}</tool_call>")).ToArray();
            var text = Generate(model, prompt, JsonGrammar.ForCall(shapes, new ReasoningBlock("<think>", "</think>", StartsOpen: false)), (ulong)s, out var finish, maxTokens);
            Assert.True(finish == FinishReason.Stop, $"not finished in {maxTokens} tokens: {text}");
            var reasoningEnd = text.IndexOf("</think>", StringComparison.Ordinal);
            var call = reasoningEnd < 0 ? text : text[(reasoningEnd + "</think>".Length)..];
            var function = shapes.Single(shape => call.StartsWith(shape.Opening, StringComparison.Ordinal));
            Assert.EndsWith("}</tool_call>", call);
            using var arguments = JsonDocument.Parse(call[function.Opening.Length..^"}</tool_call>".Length]);
            var schema = schemas[Array.IndexOf(shapes, function)];
            Assert.True(SchemaValidator.Validate(arguments.RootElement, schema) is null, $"{SchemaValidator.Validate(arguments.RootElement, schema)}\nschema: {schema}\noutput: {text}");
        }
    }

    [Fact]
    [Trait("Category", "Benchmark")]
    public void Mask_time_per_token_on_a_50k_vocabulary()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-qwen2-F32.gguf"), threads: 1);
        var trie = TokenTrie.For(model.Tokenizer);
        var candidates = new CandidateList(model.Tokenizer.VocabSize);
        var logits = new float[model.Tokenizer.VocabSize];
        foreach (var (name, grammar, prefix) in new[]
                 {
                     ("object start", JsonGrammar.AnyObject, ""),
                     ("inside a string", JsonGrammar.AnyObject, "{\"story\":\"Once upon"),
                     ("inside a string of at most 8", JsonGrammar.FromSchema(JsonDocument.Parse("{\"type\":\"string\",\"maxLength\":8}").RootElement), "\"ab"),
                     ("after a value", JsonGrammar.AnyObject, "{\"a\":12"),
                 })
        {
            var stage = new JsonConstraintStage(grammar, trie);
            foreach (var b in Encoding.UTF8.GetBytes(prefix)) stage.Advance(model.Tokenizer.Encode(((char)b).ToString(), addSpecial: false)[0]);
            const int rounds = 50;
            var watch = new Stopwatch();
            for (var i = 0; i < 2 * rounds; i++)
            {
                if (i == rounds) watch.Start();
                candidates.Load(logits);
                stage.Apply(candidates);
            }
            output.WriteLine($"{name}: {watch.Elapsed.TotalMilliseconds / rounds:F2} ms per mask, {candidates.Count} of {logits.Length} tokens allowed ({trie.NodeCount} trie nodes)");
        }
    }

    private static string Generate(LanguageModel model, int[] prompt, JsonGrammar grammar, ulong seed, out FinishReason finish, int maxTokens = MaxTokens)
    {
        var generator = new TextGenerator(model.CreateContext(prompt.Length + maxTokens), model.Tokenizer);
        var options = new GenerationOptions
        {
            MaxTokens = maxTokens,
            Sampling = SamplingOptions.Default with { Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = seed },
            OutputGrammar = grammar,
        };
        var text = new StringBuilder();
        finish = FinishReason.Length;
        foreach (var token in generator.Generate(prompt, options))
        {
            text.Append(token.Text);
            if (token.FinishReason is { } reason) finish = reason;
        }
        return text.ToString();
    }
}
