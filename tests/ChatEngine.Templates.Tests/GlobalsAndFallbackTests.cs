using System.Text.Json.Nodes;
using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>strftime_now on an injected clock, range/dict/namespace, the always-defined render variables, and the ChatML fallback.</summary>
public sealed class GlobalsAndFallbackTests
{
    [Theory]
    [InlineData("%d %b %Y", "20 Feb 2025")]
    [InlineData("%Y-%m-%d %H:%M:%S", "2025-02-20 12:00:00")]
    [InlineData("%a %A %b %B %j %p %I %y", "Thu Thursday Feb February 051 PM 12 25")]
    [InlineData("%-d %-m %%", "20 2 %")]
    public void Strftime_now_formats_the_injected_clock(string format, string expected) =>
        Assert.Equal(expected, Render("{{ strftime_now(fmt) }}", $$"""{"fmt": "{{format}}"}"""));

    [Fact]
    public void Strftime_now_rejects_unknown_directives()
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render("{{ strftime_now('%Q') }}"));
        Assert.Contains("'%Q'", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b='x') }}", "[0, 1, 2] [1, 4, 7] [5, 3, 1] {'a': 1, 'b': 'x'}")]
    [InlineData("{{ tools is defined }} {{ tools is none }} {{ documents is none }} {{ add_generation_prompt }} [{{ bos_token }}]", "True True True False []")]
    public void Globals_and_render_variables(string source, string expected) => Assert.Equal(expected, Render(source));

    [Fact]
    public void Extra_variables_and_tools_reach_the_template()
    {
        var rendered = ChatTemplate.Parse("{{ tools[0].function.name }} {{ enable_thinking }} {{ tools|tojson }}").Render(
            new JsonArray(),
            new ChatRenderOptions
            {
                Tools = JsonNode.Parse("""[{"type":"function","function":{"name":"get_weather","parameters":{"n":1.5}}}]"""),
                ExtraVariables = new Dictionary<string, JsonNode?> { ["enable_thinking"] = JsonValue.Create(false) },
            });
        Assert.Equal("get_weather False [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"n\": 1.5}}}]", rendered);
    }

    [Fact]
    public void Fallback_renders_chatml()
    {
        var messages = (JsonArray)JsonNode.Parse("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]""")!;

        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            ChatTemplate.Fallback.Render(messages, new ChatRenderOptions { AddGenerationPrompt = true }));
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
            ChatTemplate.ForModel(null).Render(messages));
    }
}
