using Microsoft.Playwright;

namespace ChatEngine.Web.Tests;

/// <summary>What a person does on the chat page, in Playwright terms, plus the reads the tests assert on.</summary>
public sealed class ChatPageDriver(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public ILocator Composer => Page.Locator("#composer-input");
    public ILocator Messages => Page.Locator(".messages .message");
    public ILocator LastAnswer => Page.Locator(".message.assistant").Last;

    /// <summary>The circuit is up, the composer's key handler bound and the stored conversations loaded.</summary>
    public async Task WaitUntilInteractiveAsync()
    {
        await Page.Locator("#composer-input[data-bound='true']").WaitForAsync();
        await Page.Locator(".shell[data-ready='true']").WaitForAsync();
    }

    /// <summary>Types <paramref name="text"/> and presses Enter, as a person would.</summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
        await Page.Locator(".message.assistant[data-state='streaming'], .notice").First.WaitForAsync();
    }

    public Task WaitForAnswerAsync(float timeoutMs = 60_000) =>
        Page.Locator(".message.assistant[data-state='done']").Last.WaitForAsync(new() { Timeout = timeoutMs });

    /// <summary>Tags the answer on screen so <see cref="WaitForNewAnswerAsync"/> can tell its replacement apart.</summary>
    public Task MarkCurrentAnswerOldAsync() => LastAnswer.EvaluateAsync("e => e.dataset.old = 'true'");

    public Task WaitForNewAnswerAsync() =>
        Page.Locator(".message.assistant:not([data-old])[data-state='done']").WaitForAsync(new() { Timeout = 60_000 });

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
