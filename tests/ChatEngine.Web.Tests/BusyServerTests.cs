using System.Text;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>A server with one slot and no queue, kept busy through the HTTP API: the UI says so instead of failing.</summary>
public sealed class BusyServerTests
{
    [Fact]
    public async Task When_every_slot_is_taken_the_page_says_the_server_is_busy()
    {
        await using var ui = await UiServer.StartAsync(o => o with { Parallel = 1, QueueLimit = 0, ContextSize = 2048 });
        using var http = new HttpClient { BaseAddress = ui.Server.BaseAddress };
        using var abort = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"prompt":"Once","max_tokens":2000,"temperature":0,"stream":true,"logit_bias":{"2":-100}}""", Encoding.UTF8, "application/json"),
        };
        using var busy = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
        using var reader = new StreamReader(await busy.Content.ReadAsStreamAsync(abort.Token));
        Assert.StartsWith("data: ", await reader.ReadLineAsync(abort.Token), StringComparison.Ordinal);
        await using var chat = await ui.OpenAsync();

        await chat.SendAsync("Hello?");

        await Assertions.Expect(chat.Page.Locator(".notice")).ToContainTextAsync("The server is busy");
        Assert.Equal(0, await chat.Page.Locator(".message.assistant").CountAsync());
        await abort.CancelAsync();
    }
}
