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
        // This template has no thinking switch, so the settings offer none.
        await chat.Page.Locator(".toggle-settings").ClickAsync();
        await chat.Page.Locator(".settings").WaitForAsync();
        Assert.Equal(0, await chat.Page.Locator("#thinking").CountAsync());
    }

    /// <summary>QwQ's template has a thinking switch: the settings show it (on by default); turned off, the next answer
    /// has no Thinking block and its text is the answer.</summary>
    [SharedFact]
    public async Task The_thinking_switch_turns_reasoning_off_for_the_next_answer()
    {
        await using var ui = await UiServer.StartAsync(o => o with
        {
            ContextSize = 1024, ChatTemplateFile = TestPaths.Shared("templates", "Qwen-QwQ-32B.jinja"),
        });
        await using var chat = await ui.OpenAsync(settingsJson: """{"temperature":0,"maxTokens":12}""");
        await chat.Page.Locator(".toggle-settings").ClickAsync();
        var toggle = chat.Page.Locator("#thinking");
        await Assertions.Expect(toggle).ToBeCheckedAsync();

        await chat.SendAsync("Hi");
        await chat.WaitForAnswerAsync();
        await Assertions.Expect(chat.LastAnswer.Locator("details.reasoning")).ToHaveCountAsync(1);

        await toggle.UncheckAsync();
        await chat.MarkCurrentAnswerOldAsync();
        await chat.SendAsync("Again");
        await chat.WaitForNewAnswerAsync();
        await Assertions.Expect(chat.LastAnswer.Locator("details.reasoning")).ToHaveCountAsync(0);
        Assert.False(string.IsNullOrWhiteSpace(await chat.LastAnswer.Locator(".content").TextContentAsync()));
    }
}
