using System.Text;
using System.Text.Json;
using ChatEngine.TestData;
using OpenAI.Chat;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// <c>tool_choice: required</c> and a named function on the random-weight model, sampled at temperature 1 (so only
/// the constraint can make the answers calls): through the official OpenAI SDK, streamed and not, every answer is one
/// call of an offered function whose arguments validate against its schema, in each template family's own syntax.
/// </summary>
public sealed class ForcedCallTests
{
    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string","maxLength":30},"unit":{"enum":["celsius","fahrenheit"]}},"required":["city"]}
        """;

    private const string TimeSchema = """{"type":"object","properties":{"zone":{"type":"string","maxLength":20}},"required":["zone"],"additionalProperties":false}""";

    private static ChatCompletionOptions Options(int seed, ChatToolChoice choice) => new()
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the server implements it.
        Seed = seed,
#pragma warning restore OPENAI001
        Temperature = 1f,
        MaxOutputTokenCount = 200,
        ToolChoice = choice,
        Tools =
        {
            ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString(WeatherSchema)),
            ChatTool.CreateFunctionTool("get_time", "Local time", BinaryData.FromString(TimeSchema)),
        },
    };

    private static readonly ChatMessage[] Question = [new UserChatMessage("What is the weather in Paris?")];

    private static Task<TestServer> Serve(string template) =>
        TestServer.StartAsync(o => o with { ContextSize = 8192, Parallel = 4, ChatTemplateFile = TestPaths.Shared("templates", template) });

    /// <summary>The bar: 100 of 100 required calls parse and validate, and each streamed answer (same seed)
    /// reassembles to the same call as the non-streamed one.</summary>
    [SharedFact]
    public async Task Required_gives_100_of_100_valid_calls_streamed_and_not()
    {
        await using var server = await Serve("Qwen-Qwen2.5-7B-Instruct.jinja");
        var chat = server.OpenAi.GetChatClient("stories260K");
        var names = new HashSet<string>();
        for (var seed = 0; seed < 100; seed++)
        {
            var options = Options(seed, ChatToolChoice.CreateRequiredChoice());
            ChatCompletion completion = await chat.CompleteChatAsync(Question, options);
            var call = Assert.Single(completion.ToolCalls);
            Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
            AssertValid(call.FunctionName, call.FunctionArguments.ToString(), $"seed {seed}");
            names.Add(call.FunctionName);

            var (streamedName, streamedArguments, finish) = await StreamAsync(chat, options);
            Assert.Equal((call.FunctionName, call.FunctionArguments.ToString()), (streamedName, streamedArguments));
            Assert.Equal(ChatFinishReason.ToolCalls, finish);
        }
        Assert.Equal(2, names.Count);
    }

    /// <summary>Each family with a JSON call syntax, a named function, a few seeds: the call is always that function's,
    /// valid, and the streamed deltas rebuild it. QwQ's prompt opens a reasoning block, which the model must close
    /// before the call; Ministral's calls have no closing marker.</summary>
    [SharedTheory]
    [InlineData("Qwen-QwQ-32B.jinja")]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct.jinja")]
    [InlineData("mistralai-Ministral-3-14B-Reasoning-2512.jinja")]
    [InlineData("mistralai-Mistral-Nemo-Instruct-2407.jinja")]
    [InlineData("openai-gpt-oss-120b.jinja")]
    [InlineData("Kimi-K2-Instruct.jinja")]
    [InlineData("CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja")]
    [InlineData("meetkai-functionary-medium-v3.1.jinja")]
    [InlineData("Apertus-8B-Instruct.jinja")]
    [InlineData("ibm-granite-granite-3.3-2B-Instruct.jinja")]
    public async Task A_named_function_is_called_validly_in_the_family_syntax(string template)
    {
        await using var server = await Serve(template);
        var chat = server.OpenAi.GetChatClient("stories260K");
        for (var seed = 0; seed < 6; seed++)
        {
            var options = Options(seed, ChatToolChoice.CreateFunctionChoice("get_time"));
            ChatCompletion completion = await chat.CompleteChatAsync(Question, options);
            var call = Assert.Single(completion.ToolCalls);
            Assert.Equal("get_time", call.FunctionName);
            Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
            AssertValid(call.FunctionName, call.FunctionArguments.ToString(), $"{template} seed {seed}");

            var (streamedName, streamedArguments, _) = await StreamAsync(chat, options);
            Assert.Equal((call.FunctionName, call.FunctionArguments.ToString()), (streamedName, streamedArguments));
        }
    }

    [SharedTheory]
    [InlineData("""{"type":"object","properties":{"city":{"type":"string","pattern":"^[A-Z]"}}}""", "required", "tools[0].function.parameters")]
    [InlineData(WeatherSchema, "required", "response_format")]
    [InlineData(WeatherSchema, "required", "tool_choice", "Qwen3-Coder.jinja")]
    public async Task A_call_that_cannot_be_forced_is_a_400_naming_the_field(string schema, string choice, string param, string template = "Qwen-Qwen2.5-7B-Instruct.jinja")
    {
        await using var server = await Serve(template);
        var responseFormat = param == "response_format" ? ""","response_format":{"type":"json_object"}""" : "";
        var body = $$$"""
            {"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{{{schema}}}}}],"tool_choice":"{{{choice}}}"{{{responseFormat}}}}
            """;
        using var response = await server.PostJsonAsync("/v1/chat/completions", body);
        var error = await OpenAiError.ReadAsync(response, 400);
        Assert.Equal(param, error.GetProperty("param").GetString());

        // The same tools with tool_choice auto are served: only forcing needs an enforceable schema and syntax.
        var autoBody = body.Replace($"\"{choice}\"", "\"auto\"").Replace("\"messages\"", "\"max_tokens\":4,\"messages\"");
        using var auto = await server.PostJsonAsync("/v1/chat/completions", responseFormat.Length == 0 ? autoBody : autoBody.Replace(responseFormat, ""));
        Assert.True(auto.IsSuccessStatusCode, await auto.Content.ReadAsStringAsync());
    }

    private static async Task<(string? Name, string Arguments, ChatFinishReason? Finish)> StreamAsync(ChatClient chat, ChatCompletionOptions options)
    {
        string? name = null;
        var arguments = new StringBuilder();
        ChatFinishReason? finish = null;
        var indexes = new HashSet<int>();
        await foreach (var update in chat.CompleteChatStreamingAsync(Question, options))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                indexes.Add(call.Index);
                name ??= call.FunctionName;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }
        Assert.True(indexes.Count <= 1, "more than one call streamed");
        return (name, arguments.ToString(), finish);
    }

    /// <summary>The arguments against the two functions' schemas, checked by hand (not by the grammar under test).</summary>
    private static void AssertValid(string name, string arguments, string context)
    {
        using var document = JsonDocument.Parse(arguments);
        var root = document.RootElement;
        Assert.True(root.ValueKind == JsonValueKind.Object, $"{context}: {arguments}");
        var keys = root.EnumerateObject().Select(p => p.Name).ToArray();
        if (name == "get_weather")
        {
            Assert.True(root.TryGetProperty("city", out var city) && city.ValueKind == JsonValueKind.String && city.GetString()!.Length <= 30, $"{context}: {arguments}");
            if (root.TryGetProperty("unit", out var unit)) Assert.Contains(unit.ToString(), new[] { "celsius", "fahrenheit" });
        }
        else
        {
            Assert.Equal("get_time", name);
            Assert.True(keys.SequenceEqual(["zone"]) && root.GetProperty("zone").ValueKind == JsonValueKind.String
                && root.GetProperty("zone").GetString()!.Length <= 20, $"{context}: {arguments}");
        }
    }
}
