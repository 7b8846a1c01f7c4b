using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>The page's connection to the server breaks: a banner says so, the page reconnects by itself and chats on.</summary>
[Collection(UiCollection.Name)]
public sealed partial class ConnectionDropTests(UiServerFixture fixture)
{
    [Fact]
    public async Task A_dropped_connection_shows_a_banner_then_reconnects_and_the_chat_goes_on()
    {
        var sockets = new List<IWebSocketRoute>();
        await using var chat = await fixture.Server.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":20}""",
            beforeLoad: page => page.RouteWebSocketAsync(BlazorSocket(), socket =>
            {
                socket.ConnectToServer();
                lock (sockets) sockets.Add(socket);
            }));
        var banner = chat.Page.Locator("#components-reconnect-modal");
        await Assertions.Expect(banner).ToBeHiddenAsync();

        await sockets.Single().CloseAsync(new() { Code = 4000, Reason = "network dropped (test)" });

        await Assertions.Expect(banner).ToContainTextAsync("Connection to the server lost");
        await Assertions.Expect(banner).ToBeHiddenAsync(new() { Timeout = 20_000 });
        Assert.Equal(2, sockets.Count);
        await chat.SendAsync("Hello again");
        await chat.WaitForAnswerAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".content")).Not.ToBeEmptyAsync();
    }

    [GeneratedRegex("/_blazor")]
    private static partial Regex BlazorSocket();
}
