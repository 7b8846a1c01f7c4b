using ChatEngine.Samples.SemanticKernel;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>The Semantic Kernel sample over the in-process client, on the random-weight model with Qwen2.5's template:
/// SK's required function choice forces the call, SK's kernel function invocation runs the plugin and sends the
/// result back (the second request no longer requires a call), and the model answers.</summary>
public sealed class SemanticKernelTests : IDisposable
{
    private readonly InProcessModel _model = ToolModel.Load();

    [SharedFact]
    public async Task The_sample_agent_calls_its_plugin_function()
    {
        var weather = new WeatherPlugin();
        var kernel = ToolAgent.Create(_model.AsChatClient(), weather, "weather");

        var answer = await ToolAgent.AskAsync(kernel, "What is the weather in Paris?", requireCall: true, temperature: 1, seed: 2);

        Assert.False(string.IsNullOrEmpty(Assert.Single(weather.Cities)));
        Assert.NotNull(answer);
    }

    public void Dispose() => _model.Dispose();
}
