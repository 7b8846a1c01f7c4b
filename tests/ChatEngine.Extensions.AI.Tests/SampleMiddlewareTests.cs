using ChatEngine.Samples.ChatClient;
using Microsoft.Extensions.AI;
using Xunit;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>The sample's pipeline pieces, composed over the in-process client the way the sample composes them.</summary>
[Collection(ModelCollection.Name)]
public sealed class SampleMiddlewareTests(ModelFixture fixture)
{
    private static ChatOptions Greedy => new() { Temperature = 0, MaxOutputTokens = 16 };

    [Fact]
    public async Task The_pipeline_adds_instructions_and_counts_streamed_and_whole_responses()
    {
        var client = fixture.Model.AsChatClient();
        var usage = new UsageTrackingChatClient(new InstructionsChatClient(client, "Be brief."));
        var direct = await client.GetResponseAsync("A frog", new ChatOptions { Temperature = 0, MaxOutputTokens = 16, Instructions = "Be brief." });

        var whole = await usage.GetResponseAsync("A frog", Greedy);
        var streamed = await usage.GetStreamingResponseAsync("A frog", Greedy).ToChatResponseAsync();

        Assert.Equal(direct.Text, whole.Text);
        Assert.Equal(direct.Text, streamed.Text);
        Assert.Equal(2 * direct.Usage!.InputTokenCount, usage.InputTokens);
        Assert.Equal(2 * direct.Usage.OutputTokenCount, usage.OutputTokens);
    }

    [Fact]
    public async Task A_prompt_function_fills_its_template_before_calling_the_client()
    {
        var client = fixture.Model.AsChatClient();
        var function = new PromptFunction("A story about {{$hero}} and {{$hero}}'s {{$thing}}.", Greedy);

        var text = await function.InvokeAsync(client, new Dictionary<string, string> { ["hero"] = "Tom", ["thing"] = "kite" });

        Assert.Equal((await client.GetResponseAsync("A story about Tom and Tom's kite.", Greedy)).Text, text);
    }
}
