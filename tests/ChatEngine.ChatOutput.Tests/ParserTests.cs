using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace ChatEngine.ChatOutput.Tests;

public class ParserTests
{
    public static TheoryData<OutputCase> Cases => [.. OutputCases.WithPlainMentions()];

    internal static ChatOutputParser ParserFor(OutputCase c, ReasoningFormat reasoning = ReasoningFormat.Auto) =>
        new(ChatOutputFormat.For(c.Family), new ChatOutputOptions { ReasoningStartsOpen = c.StartsOpen, ReasoningFormat = reasoning, NewCallId = i => $"call_{i}" });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_parses_to_the_documented_content_reasoning_and_calls(OutputCase c)
    {
        var message = ParserFor(c).Parse(c.Text);
        Assert.Equal(c.Content, message.Content);
        Assert.Equal(c.Reasoning, message.Reasoning);
        Assert.Equal(c.EndedMidCall, message.EndedMidCall);
        Assert.Equal(c.Calls.Length, message.ToolCalls.Count);
        foreach (var (expected, actual) in c.Calls.Zip(message.ToolCalls))
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.Arguments), JsonNode.Parse(actual.Arguments)),
                $"arguments {actual.Arguments}, expected {expected.Arguments}");
            if (expected.Id is not null) Assert.Equal(expected.Id, actual.Id);
        }
    }

    [Theory]
    [InlineData(ChatFamily.Hermes, "<think>\nPondering.\n</think>\n\nHi.", "<think>\nPondering.\n</think>\n\nHi.")]
    [InlineData(ChatFamily.Mistral, "[THINK]Pondering.[/THINK]Hi.", "[THINK]Pondering.[/THINK]Hi.")]
    [InlineData(ChatFamily.GptOss, "<|channel|>analysis<|message|>Pondering.<|end|><|start|>assistant<|channel|>final<|message|>Hi.",
        "<|channel|>analysis<|message|>Pondering.<|end|>Hi.")]
    public void Reasoning_format_none_leaves_the_reasoning_in_the_content(ChatFamily family, string text, string content)
    {
        var parser = new ChatOutputParser(ChatOutputFormat.For(family), new ChatOutputOptions { ReasoningFormat = ReasoningFormat.None });
        var message = parser.Parse(text);
        Assert.Equal(content, message.Content);
        Assert.Equal("", message.Reasoning);
    }

    [Fact]
    public void Reasoning_format_none_still_parses_calls_after_the_reasoning()
    {
        var parser = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Hermes), new ChatOutputOptions { ReasoningFormat = ReasoningFormat.None });
        var message = parser.Parse("<think>x</think>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
        Assert.Equal("<think>x</think>", message.Content);
        Assert.Equal("get_weather", Assert.Single(message.ToolCalls).Name);
    }

    [Fact]
    public void Output_left_inside_an_opened_think_block_is_all_reasoning()
    {
        var parser = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.DeepSeekR1), new ChatOutputOptions { ReasoningStartsOpen = true });
        var message = parser.Parse("Still thinking about <tool_call> and more");
        Assert.Equal("Still thinking about <tool_call> and more", message.Reasoning);
        Assert.Equal("", message.Content);
        Assert.Empty(message.ToolCalls);
    }

    [Theory]
    [InlineData(ChatFamily.Hermes, "<|im_start|>assistant\n<think>\n", true)]
    [InlineData(ChatFamily.DeepSeekR1, "<｜Assistant｜><think>\n", true)]
    [InlineData(ChatFamily.DeepSeekR1, "<｜Assistant｜><think>\n</think>", false)]
    [InlineData(ChatFamily.Llama3, "<|start_header_id|>assistant<|end_header_id|>\n\n", false)]
    public void A_prompt_ending_in_the_reasoning_start_opens_reasoning(ChatFamily family, string prompt, bool opens) =>
        Assert.Equal(opens, ChatOutputFormat.For(family).PromptOpensReasoning(prompt));

    [Fact]
    public void Calls_without_an_id_in_the_text_get_the_generated_ids_in_order()
    {
        var parser = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Mistral), new ChatOutputOptions { NewCallId = i => $"id{i}" });
        var message = parser.Parse("[TOOL_CALLS]a[ARGS]{}[TOOL_CALLS]b[ARGS]{}");
        Assert.Equal(["id0", "id1"], message.ToolCalls.Select(c => c.Id));
    }

    [Fact]
    public void Default_ids_are_distinct_openai_style_ids()
    {
        var message = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Mistral)).Parse("[TOOL_CALLS]a[ARGS]{}[TOOL_CALLS]b[ARGS]{}");
        Assert.All(message.ToolCalls, c => Assert.StartsWith("call_", c.Id, StringComparison.Ordinal));
        Assert.NotEqual(message.ToolCalls[0].Id, message.ToolCalls[1].Id);
    }
}

public class ParameterTypingTests
{
    private const string Tools = """
        [{"type": "function", "function": {"name": "search_web", "description": "Search", "parameters": {"type": "object",
          "properties": {"query": {"type": "string"}, "max_results": {"type": "integer"}}, "required": ["query"]}}}]
        """;

    private const string Output = "<tool_call>\n<function=search_web>\n<parameter=query>\n42\n</parameter>\n<parameter=max_results>\n5\n</parameter>\n</function>\n</tool_call>";

    [Fact]
    public void Without_the_schema_a_value_that_reads_as_json_is_json()
    {
        var message = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Qwen3CoderXml)).Parse(Output);
        Assert.Equal("""{"query": 42, "max_results": 5}""", Assert.Single(message.ToolCalls).Arguments);
    }

    [Fact]
    public void A_string_parameter_in_the_tools_schema_stays_a_string()
    {
        using var tools = System.Text.Json.JsonDocument.Parse(Tools);
        var parser = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Qwen3CoderXml), new ChatOutputOptions { Tools = tools.RootElement.Clone() });
        Assert.Equal("""{"query": "42", "max_results": 5}""", Assert.Single(parser.Parse(Output).ToolCalls).Arguments);
    }
}
