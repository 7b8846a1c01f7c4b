using System.ClientModel;
using System.Diagnostics;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>The official SDK's chat client pointed at a test server, and a greedy streaming call that keeps what the
/// tests compare: the text, the usage (with cached tokens) and the time to the first content.</summary>
public static class SdkChat
{
    public sealed record Result(string Text, ChatTokenUsage Usage, double FirstTokenMs);

    public static ChatClient Client(TestServer server) =>
        new("stories260K", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") });

    public static async Task<Result> StreamGreedyAsync(ChatClient chat, IEnumerable<ChatMessage> messages, int maxTokens)
    {
        var clock = Stopwatch.StartNew();
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var firstToken = double.NaN;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = maxTokens }))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (double.IsNaN(firstToken)) firstToken = clock.Elapsed.TotalMilliseconds;
                text.Append(part.Text);
            }
            usage ??= update.Usage;
        }
        Assert.NotNull(usage);
        return new Result(text.ToString(), usage, firstToken);
    }
}
