using System.ComponentModel;
using System.Text.Json;
using ChatEngine.TestData;
using Microsoft.Extensions.AI;
using Xunit;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>
/// Tool calling through <see cref="IChatClient"/> on the random-weight model with a real template (Qwen2.5's, Hermes
/// calls), sampled at temperature 1: a required call is forced, so Microsoft.Extensions.AI's function invocation and
/// Semantic Kernel's (<see cref="SemanticKernelTests"/>) complete a round trip in-process.
/// </summary>
public sealed class ToolCallingTests : IDisposable
{
    private readonly InProcessModel _model = ToolModel.Load();

    private readonly List<string> _cities = [];

    [Description("The current weather in a city")]
    private string GetWeather([Description("The city")] string city)
    {
        lock (_cities) _cities.Add(city);
        return $"Sunny, 21 degrees in {city}";
    }

    [SharedFact]
    public async Task A_required_call_comes_back_as_function_call_content_with_arguments_for_its_schema()
    {
        var weather = AIFunctionFactory.Create(GetWeather, "get_weather");
        for (var seed = 0; seed < 10; seed++)
        {
            var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireAny, Temperature = 1, Seed = seed };
            var response = await _model.AsChatClient().GetResponseAsync("What is the weather in Paris?", options);
            var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal("get_weather", call.Name);
            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            var city = Assert.Single(call.Arguments!);
            Assert.Equal("city", city.Key);
            Assert.Equal(JsonValueKind.String, Assert.IsType<JsonElement>(city.Value).ValueKind);

            var streamed = await _model.AsChatClient().GetStreamingResponseAsync("What is the weather in Paris?", options).ToChatResponseAsync();
            var streamedCall = Assert.Single(streamed.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal(JsonSerializer.Serialize(call.Arguments), JsonSerializer.Serialize(streamedCall.Arguments));
        }
    }

    /// <summary>FunctionInvokingChatClient: the forced call runs the C# function, its result goes back as a tool
    /// message (rendered by the template), and the next turn (tool mode no longer required) answers in text.</summary>
    [SharedFact]
    public async Task Function_invocation_completes_a_round_trip()
    {
        using var client = _model.AsChatClient().AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")], ToolMode = ChatToolMode.RequireAny, Temperature = 1, Seed = 4 };

        var response = await client.GetResponseAsync("What is the weather in Paris?", options);

        var city = Assert.Single(_cities);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        var result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal($"Sunny, 21 degrees in {city}", result.Result?.ToString());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.DoesNotContain(response.Messages[^1].Contents, c => c is FunctionCallContent);
    }

    public void Dispose() => _model.Dispose();
}
