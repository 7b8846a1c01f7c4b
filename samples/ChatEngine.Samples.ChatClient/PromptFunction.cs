using Microsoft.Extensions.AI;

namespace ChatEngine.Samples.ChatClient;

/// <summary>
/// A Semantic Kernel-style prompt function: a template with <c>{{$name}}</c> placeholders, rendered with arguments and
/// sent through any <see cref="IChatClient"/> with its own execution settings.
/// </summary>
public sealed class PromptFunction(string template, ChatOptions settings)
{
    public async Task<string> InvokeAsync(IChatClient client, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellation = default)
    {
        var prompt = arguments.Aggregate(template, (text, argument) => text.Replace($"{{{{${argument.Key}}}}}", argument.Value, StringComparison.Ordinal));
        var response = await client.GetResponseAsync(prompt, settings.Clone(), cancellation);
        return response.Text;
    }
}
