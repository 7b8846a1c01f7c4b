using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Constraints;
using Xunit;

namespace ChatEngine.Runtime.Tests.Constraints;

/// <summary>Forced tool calls: one of the offered functions in a family's own syntax (Hermes-style openings and
/// closings here, a Mistral-style empty closing), arguments valid against the function's schema, optionally after
/// one reasoning block.</summary>
public sealed class CallGrammarTests
{
    private const string WeatherSchema = """{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}""";

    private static readonly ReasoningBlock Think = new("<think>", "</think>", StartsOpen: false);

    private static CallShape Hermes(string name, string? schema) =>
        new($"<tool_call>\n{{\"name\": \"{name}\", \"arguments\": ", schema is null ? null : JsonDocument.Parse(schema).RootElement, "}\n</tool_call>");

    private static readonly JsonGrammar WeatherOrTime = JsonGrammar.ForCall([Hermes("get_weather", WeatherSchema), Hermes("get_time", null)], null);

    private static bool Matches(JsonGrammar grammar, string text) => grammar.Matches(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\",\"days\":3}}\n</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\":[1,{}]}}\n</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"days\":3}}\n</tool_call>", false)]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":7}}\n</tool_call>", false)]
    [InlineData("<tool_call>\n{\"name\": \"get_date\", \"arguments\": {}}\n</tool_call>", false)]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": []}\n</tool_call>", false)]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call", false)]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>\n", false)]
    [InlineData("Sure. <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", false)]
    [InlineData("<think>x</think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", false)]
    [InlineData("", false)]
    public void Exactly_one_call_of_an_offered_function_with_valid_arguments_is_accepted(string text, bool expected) =>
        Assert.Equal(expected, Matches(WeatherOrTime, text));

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", true)]
    [InlineData("<think>The user wants the time. </thin </think <thinking></think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", true)]
    [InlineData("<think></think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", true)]
    [InlineData("<think>a</think><think>b</think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", false)]
    [InlineData("<think>never closed<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", false)]
    public void A_reasoning_block_may_come_first_once(string text, bool expected) =>
        Assert.Equal(expected, Matches(JsonGrammar.ForCall([Hermes("get_time", null)], Think), text));

    [Theory]
    [InlineData("I am already thinking.</think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", true)]
    [InlineData("</think><tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", false)]
    public void A_prompt_that_opened_the_reasoning_block_starts_inside_it(string text, bool expected) =>
        Assert.Equal(expected, Matches(JsonGrammar.ForCall([Hermes("get_time", null)], Think with { StartsOpen = true }), text));

    [Theory]
    [InlineData("[TOOL_CALLS]get[ARGS]{}", true)]
    [InlineData("[TOOL_CALLS]get_weather[ARGS]{\"city\":\"Oslo\"}", true)]
    [InlineData("[TOOL_CALLS]get_weather[ARGS]{}", false)]
    [InlineData("[TOOL_CALLS]get[ARGS]{}{}", false)]
    [InlineData("[TOOL_CALLS]ge[ARGS]{}", false)]
    public void Function_names_that_are_prefixes_of_others_and_empty_closings(string text, bool expected)
    {
        var grammar = JsonGrammar.ForCall([
            new CallShape("[TOOL_CALLS]get[ARGS]", null, ""),
            new CallShape("[TOOL_CALLS]get_weather[ARGS]", JsonDocument.Parse(WeatherSchema).RootElement, ""),
        ], null);
        Assert.Equal(expected, Matches(grammar, text));
    }

    [Fact]
    public void A_closing_marker_that_overlaps_itself_ends_the_reasoning_at_its_first_occurrence()
    {
        var grammar = JsonGrammar.ForCall([new CallShape("C", null, "")], new ReasoningBlock("<r>", "aab", StartsOpen: false));
        Assert.True(Matches(grammar, "<r>aaab" + "C{}"));
        Assert.True(Matches(grammar, "<r>abaab" + "C{}"));
        Assert.False(Matches(grammar, "<r>aaabaab" + "C{}"));
    }

    /// <summary>Random walks (which also check the shortest completion at every byte) over random argument schemas,
    /// with and without a reasoning block: every document splits into an offered opening, arguments that validate
    /// against that function's schema, and its closing.</summary>
    [Fact]
    public void Random_walks_give_calls_whose_arguments_validate()
    {
        var random = new Random(77);
        for (var s = 0; s < 60; s++)
        {
            var schemas = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => RandomSchemas.Object(random)).ToArray();
            var shapes = schemas.Select((schema, i) => new CallShape($"<call name=\"f{i}\">", schema, "</call>")).ToArray();
            var reasoning = random.Next(2) == 0 ? null : Think with { StartsOpen = random.Next(2) == 0 };
            var grammar = JsonGrammar.ForCall(shapes, reasoning);
            var bytes = RandomSchemas.Walk(grammar, random, maxBytes: 20_000, towardsEnd: reasoning is null ? 0 : 0.7);
            Assert.NotNull(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            var reasoningEnd = reasoning is null ? -1 : text.IndexOf("</think>", StringComparison.Ordinal);
            var call = reasoningEnd < 0 ? text : text[(reasoningEnd + "</think>".Length)..];
            var function = int.Parse(call["<call name=\"f".Length..call.IndexOf('"', "<call name=\"f".Length)]);
            Assert.StartsWith(shapes[function].Opening, call);
            Assert.EndsWith("</call>", call);
            using var arguments = JsonDocument.Parse(call[shapes[function].Opening.Length..^"</call>".Length]);
            Assert.True(SchemaValidator.Validate(arguments.RootElement, schemas[function]) is null,
                $"{SchemaValidator.Validate(arguments.RootElement, schemas[function])}\nschema: {schemas[function]}\noutput: {text}");
        }
    }
}
