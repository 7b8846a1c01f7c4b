using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// One chat request through the OpenAI SDK against a running server: the one at <c>CHATENGINE_SMOKE_URL</c> (CI starts
/// the README's first command and points this test at it), or else a server started here on the default model.
/// </summary>
[Trait("Category", "Smoke")]
public sealed class SmokeTests
{
    public const string UrlVariable = "CHATENGINE_SMOKE_URL";

    [Fact]
    public async Task One_chat_request_through_the_openai_sdk_gets_an_answer()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        await using var local = string.IsNullOrEmpty(url) ? await TestServer.StartAsync() : null;
        var endpoint = new Uri(local?.BaseAddress ?? new Uri(url!), "v1");
        var chat = new ChatClient("stories260K", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = endpoint });

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Tell me a story.")],
            new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = 16 });

        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal("stories260K", completion.Model);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 16);
    }
}
