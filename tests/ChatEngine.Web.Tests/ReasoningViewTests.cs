using ChatEngine.TestData;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>A thinking model's answer in the page: its reasoning in a folded "Thinking" block above the answer, never
/// in the answer text, kept across a reload.</summary>
public sealed class ReasoningViewTests
{
    [SharedFact]
    public async Task Reasoning_is_shown_in_a_folded_thinking_block_not_in_the_answer()
    {
        await using var ui = await UiServer.StartAsync(o => o with
        {
            ContextSize = 1024, ChatTemplateFile = TestPaths.Shared("templates", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja"),
        });
        await using var chat = await ui.OpenAsync(settingsJson: """{"temperature":0,"maxTokens":12}""");

        await chat.SendAsync("Hi");
        await chat.WaitForAnswerAsync();

        var block = chat.LastAnswer.Locator("details.reasoning");
        await Assertions.Expect(block.Locator("summary")).ToHaveTextAsync("Thinking");
        var reasoning = await block.Locator(".reasoning-text").TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(reasoning));
        Assert.Equal("", (await chat.LastAnswer.Locator(".content").TextContentAsync())!.Trim());
        Assert.Null(await block.GetAttributeAsync("open"));

        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        await Assertions.Expect(chat.LastAnswer.Locator("details.reasoning .reasoning-text")).ToHaveTextAsync(reasoning!);
    }
}
