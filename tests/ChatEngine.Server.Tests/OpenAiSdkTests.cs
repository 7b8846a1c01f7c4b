using Xunit;
using System.ClientModel;
using System.Text;
using ChatEngine.Runtime.Generation;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace ChatEngine.Server.Tests;

/// <summary>The official OpenAI .NET SDK, unchanged except for its endpoint, against the real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class OpenAiSdkTests(ServerFixture fixture)
{
    private const string Question = "Tell me a story about a cat.";

    private OpenAIClientOptions ClientOptions => new() { Endpoint = new Uri(fixture.Server.BaseAddress, "v1") };

    private ChatClient Chat => new("stories260K", new ApiKeyCredential("unused"), ClientOptions);

    private static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0f, MaxOutputTokenCount = maxTokens };

    [Fact]
    public async Task Greedy_chat_completion_equals_the_runtime_greedy_output_with_exact_usage()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("system", "You are a storyteller."), ("user", Question)), 24);

        ChatCompletion completion = await Chat.CompleteChatAsync(
            [new SystemChatMessage("You are a storyteller."), new UserChatMessage(Question)], Greedy(24));

        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(expected.Finish == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(expected.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(expected.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.PromptTokens + expected.CompletionTokens, completion.Usage.TotalTokenCount);
        Assert.Equal("stories260K", completion.Model);
    }

    [Fact]
    public async Task Streaming_chat_concatenates_to_the_greedy_output_and_reports_finish_and_usage()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("user", Question)), 20);

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in Chat.CompleteChatStreamingAsync([new UserChatMessage(Question)], Greedy(20)))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(expected.Text, text.ToString());
        Assert.Equal(expected.Finish == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(expected.PromptTokens, usage.InputTokenCount);
        Assert.Equal(expected.CompletionTokens, usage.OutputTokenCount);
        Assert.True(updates > 2);
    }

    [Fact]
    public async Task Text_content_parts_are_joined_like_a_string_message()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("user", "Once\nthere was a dog")), 12);

        ChatCompletion completion = await Chat.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateTextPart("Once"), ChatMessageContentPart.CreateTextPart("there was a dog"))], Greedy(12));

        Assert.Equal(expected.Text, completion.Content[0].Text);
    }

    [Fact]
    public async Task Seeded_sampling_repeats_and_different_seeds_differ()
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; it is a plain OpenAI request field.
        ChatCompletionOptions Seeded(long seed) => new() { Temperature = 1.0f, MaxOutputTokenCount = 32, Seed = seed };
#pragma warning restore OPENAI001
        var messages = new ChatMessage[] { new UserChatMessage(Question) };

        var first = (await Chat.CompleteChatAsync(messages, Seeded(7))).Value.Content[0].Text;
        var again = (await Chat.CompleteChatAsync(messages, Seeded(7))).Value.Content[0].Text;
        var texts = new HashSet<string>();
        for (var seed = 1; seed <= 4; seed++) texts.Add((await Chat.CompleteChatAsync(messages, Seeded(seed))).Value.Content[0].Text);

        Assert.Equal(first, again);
        Assert.True(texts.Count > 1, "four seeds at temperature 1 all gave the same 32 tokens");
    }

    [Fact]
    public async Task Models_list_names_the_served_model()
    {
        var models = new OpenAIModelClient(new ApiKeyCredential("unused"), ClientOptions);

        OpenAIModelCollection list = await models.GetModelsAsync();
        OpenAIModel one = await models.GetModelAsync("stories260K");

        Assert.Equal(["stories260K"], list.Select(m => m.Id));
        Assert.Equal("chatengine", one.OwnedBy);
    }

    [Fact]
    public async Task Unknown_model_surfaces_as_a_404_client_error()
    {
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("unused"), ClientOptions);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], Greedy(4)));

        Assert.Equal(404, error.Status);
        Assert.Contains("model_not_found", error.Message, StringComparison.Ordinal);
    }
}
