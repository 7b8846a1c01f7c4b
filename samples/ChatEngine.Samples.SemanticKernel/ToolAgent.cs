using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace ChatEngine.Samples.SemanticKernel;

/// <summary>A Semantic Kernel over any <see cref="IChatClient"/> (here ChatEngine's in-process one) whose plugins the
/// model may call: SK's kernel function invocation runs the calls and sends their results back.</summary>
public static class ToolAgent
{
    public static Kernel Create(IChatClient client, object plugin, string pluginName)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddChatClient(client).UseKernelFunctionInvocation();
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(plugin, pluginName);
        return kernel;
    }

    /// <summary>Asks <paramref name="question"/>; <paramref name="requireCall"/> makes the first answer a call
    /// (FunctionChoiceBehavior.Required), otherwise the model chooses (Auto).</summary>
    public static async Task<string?> AskAsync(Kernel kernel, string question, bool requireCall, double temperature = 0.7, int? seed = null)
    {
        var settings = new PromptExecutionSettings
        {
            FunctionChoiceBehavior = requireCall ? FunctionChoiceBehavior.Required() : FunctionChoiceBehavior.Auto(),
            ExtensionData = new Dictionary<string, object> { ["temperature"] = temperature, ["max_tokens"] = 200 },
        };
        if (seed is { } value) settings.ExtensionData["seed"] = value;
        var answer = await kernel.InvokePromptAsync(question, new KernelArguments(settings));
        return answer.GetValue<string>();
    }
}
