using System.ComponentModel;
using ChatEngine.TestData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Xunit;
using MEAI = Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>Semantic Kernel over the in-process <see cref="MEAI.IChatClient"/>, on the random-weight model with Qwen2.5's
/// template: SK's required function choice forces the call, SK's kernel function invocation runs the plugin and sends
/// the result back (the second request no longer requires a call).</summary>
public sealed class SemanticKernelTests : IDisposable
{
    private readonly InProcessModel _model = InProcessModel.Load(TestPaths.Model("stories260K.gguf"), new InProcessModelOptions
    {
        ContextSize = 4096, MaxConcurrentSequences = 2, Threads = 1, DefaultMaxOutputTokens = 120,
        ChatTemplate = File.Exists(TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"))
            ? File.ReadAllText(TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja")) : null,
    });

    private readonly List<string> _cities = [];

    /// <summary>Semantic Kernel: a plugin's function called through SK's function choice behaviour over this client.</summary>
    [SharedFact]
    public async Task Semantic_kernel_calls_a_plugin_function()
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddChatClient(_model.AsChatClient()).UseKernelFunctionInvocation();
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(new WeatherPlugin(_cities), "weather");
        var settings = new PromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required(),
            ExtensionData = new Dictionary<string, object> { ["temperature"] = 1.0, ["seed"] = 2, ["max_tokens"] = 120 },
        };

        var answer = await kernel.InvokePromptAsync("What is the weather in Paris?", new KernelArguments(settings));

        var city = Assert.Single(_cities);
        Assert.False(string.IsNullOrEmpty(city));
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

    public void Dispose() => _model.Dispose();
}
