using System.Text.Json.Nodes;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>chatengine template</c> with tools, kwargs and bos/eos, with and without a model.</summary>
public sealed class TemplateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-template-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [SharedFact]
    public void A_golden_tools_case_renders_byte_for_byte_without_a_model()
    {
        var golden = JsonNode.Parse(File.ReadAllText(TestPaths.Golden("chat-templates-tools.json")))!;
        var testCase = golden["cases"]!.AsArray().Single(c =>
            (string)c!["template"]! == "CohereForAI-c4ai-command-r7b-12-2024-tool_use"
            && (string)c["conversation"]! == "tools_offered"
            && c["kwargs"]!.ToJsonString() == """{"enable_thinking":true}""")!;

        var result = CliRunner.Run("template",
            "--template", TestPaths.Shared((string)testCase["template_file"]!),
            "--messages", Write("messages.json", golden["conversations"]!["tools_offered"]!.ToJsonString()),
            "--tools", Write("tools.json", testCase["tools"]!.ToJsonString()),
            "--kwargs", testCase["kwargs"]!.ToJsonString(),
            "--bos-token", (string)testCase["bos_token"]!, "--eos-token", (string)testCase["eos_token"]!,
            "--add-generation-prompt");

        Assert.Equal("", result.Stderr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal((string)testCase["rendered"]!, result.Stdout);
    }

    [Fact]
    public void Tools_kwargs_and_special_tokens_reach_the_template()
    {
        var template = Write("t.jinja",
            "{{ bos_token }}{% for t in tools %}[{{ t.function.name }}]{% endfor %}{{ messages[0].content }}"
            + "{% if enable_thinking is false %}/no_think{% endif %}{{ eos_token }}");

        var result = CliRunner.Run("template", "--template", template,
            "--messages", Write("m.json", """[{"role": "user", "content": "hi"}]"""),
            "--tools", Write("tools.json", """[{"type": "function", "function": {"name": "get_weather"}}]"""),
            "--kwargs", """{"enable_thinking": false}""", "--bos-token", "<s>", "--eos-token", "</s>");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("<s>[get_weather]hi/no_think</s>", result.Stdout);
    }

    [Fact]
    public void String_tool_call_arguments_reach_a_template_that_reads_them_as_an_object()
    {
        var template = Write("t.jinja",
            "{% for m in messages %}{% for c in m.tool_calls or [] %}{{ c.function.name }}("
            + "{% for k, v in c.function.arguments.items() %}{{ k }}={{ v }}{% endfor %}){% endfor %}{% endfor %}");
        var messages = Write("m.json", """
            [{"role": "user", "content": "Weather?"},
             {"role": "assistant", "content": "", "tool_calls": [{"id": "call00001", "type": "function",
               "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}]
            """);

        var result = CliRunner.Run("template", "--template", template, "--messages", messages);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("get_weather(city=Paris)", result.Stdout);
    }

    [Fact]
    public void With_a_model_bos_and_eos_default_to_its_tokens_and_the_options_override_them()
    {
        var model = TestPaths.Model("stories260K.gguf");
        var template = Write("t.jinja", "{{ bos_token }}|{{ eos_token }}");
        var messages = Write("m.json", "[]");

        var defaults = CliRunner.Run("template", "-m", model, "--template", template, "--messages", messages);
        var overridden = CliRunner.Run("template", "-m", model, "--template", template, "--messages", messages, "--bos-token", "B");

        Assert.Equal("<s>|</s>", defaults.Stdout);
        Assert.Equal("B|</s>", overridden.Stdout);
    }

    [Theory]
    [InlineData("--tools", "missing", "--tools: cannot read")]
    [InlineData("--tools", "not json", "--tools: invalid JSON")]
    [InlineData("--tools", """{"type": "function"}""", "--tools: tools.json must hold a JSON array of tools")]
    [InlineData("--kwargs", "{enable_thinking: false}", "--kwargs: invalid JSON")]
    [InlineData("--kwargs", "[1]", "--kwargs must be a JSON object")]
    [InlineData("--template", "missing", "--template: cannot read")]
    public void Bad_input_is_one_line_naming_the_option_and_exit_code_1(string option, string value, string expected)
    {
        var template = Write("t.jinja", "{{ messages | length }}");
        var messages = Write("m.json", "[]");
        string[] rest = option switch
        {
            "--tools" => ["--template", template, "--tools", value == "missing" ? Path.Combine(_dir, "none.json") : Write("tools.json", value)],
            "--kwargs" => ["--template", template, "--kwargs", value],
            _ => ["--template", Path.Combine(_dir, "none.jinja")],
        };

        var result = CliRunner.Run(["template", "--messages", messages, .. rest]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: {expected}", result.Stderr.Trim());
    }

    [Fact]
    public void Without_a_model_or_a_template_it_says_which_to_give()
    {
        var result = CliRunner.Run("template", "--messages", Write("m.json", "[]"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: give a model (-m) or a template file (--template)", result.Stderr.Trim());
    }
}
