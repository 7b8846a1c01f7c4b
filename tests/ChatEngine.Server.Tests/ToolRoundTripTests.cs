using System.ComponentModel;
using ChatEngine.TestData;
using Microsoft.Extensions.AI;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// Agent loops over HTTP, as .NET developers run them against an OpenAI-compatible server: Microsoft.Extensions.AI's
/// OpenAI adapter with function invocation, and Semantic Kernel's OpenAI connector with auto function calling. The
/// random-weight model answers only because the first turn's call is forced (tool_choice required); the C# function
/// then runs, its result goes back as a tool message answering the call id, and the next turn is text.
/// </summary>
public sealed class ToolRoundTripTests
{
    private readonly List<string> _cities = [];

    [Description("The current weather in a city")]
    private string GetWeather([Description("The city")] string city)
    {
        lock (_cities) _cities.Add(city);
        return $"Sunny, 21 degrees in {city}";
    }

    private static Task<TestServer> Serve() => TestServer.StartAsync(o => o with
    {
        ContextSize = 4096, Parallel = 2, ChatTemplateFile = TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"),
    });

    [SharedFact]
    public async Task Extensions_ai_function_invocation_over_the_openai_adapter()
    {
        await using var server = await Serve();
        using var client = server.OpenAi.GetChatClient("stories260K").AsIChatClient().AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")], ToolMode = ChatToolMode.RequireAny, Temperature = 1, Seed = 3, MaxOutputTokens = 120,
        };

        var response = await client.GetResponseAsync("What is the weather in Paris?", options);

        var city = Assert.Single(_cities);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal(city, call.Arguments!["city"]?.ToString());
        Assert.Equal(call.CallId, Assert.Single(contents.OfType<FunctionResultContent>()).CallId);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.DoesNotContain(response.Messages[^1].Contents, c => c is FunctionCallContent);
    }

    [SharedFact]
    public async Task Semantic_kernel_auto_function_calling_over_its_openai_connector()
    {
        await using var server = await Serve();
        var builder = Kernel.CreateBuilder();
        builder.AddOpenAIChatCompletion("stories260K", new Uri(server.BaseAddress, "v1"), "unused");
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(new WeatherPlugin(_cities), "weather");
        var settings = new OpenAIPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required(), Temperature = 1, Seed = 5, MaxTokens = 120,
        };

        var answer = await kernel.InvokePromptAsync("What is the weather in Paris?", new KernelArguments(settings));

        Assert.False(string.IsNullOrEmpty(Assert.Single(_cities)));
        Assert.NotNull(answer.GetValue<string>());
    }

    public sealed class WeatherPlugin(List<string> cities)
    {
        [KernelFunction("get_weather"), Description("The current weather in a city")]
        public string GetWeather([Description("The city")] string city)
        {
            lock (cities) cities.Add(city);
            return $"Sunny, 21 degrees in {city}";
        }
    }
}
