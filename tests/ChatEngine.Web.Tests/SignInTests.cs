using System.Net;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>A server started with an API key: the UI signs in with the key (a session cookie, never the key itself),
/// and that cookie authorizes the page, its Blazor circuit, the API and the chat hub.</summary>
public sealed class SignInTests(SignInTests.KeyedServer fixture) : IClassFixture<SignInTests.KeyedServer>
{
    private const string Key = "ui-sign-in-test-key";
    private UiServer Ui => fixture.Server;

    [Fact]
    public async Task The_page_sends_to_sign_in_refuses_a_wrong_key_clearly_then_chats_after_the_right_one_until_sign_out()
    {
        var context = await Ui.Browser.NewContextAsync();
        await using var chat = new ChatPageDriver(context, await context.NewPageAsync());
        var page = chat.Page;
        var signInButton = page.Locator("form button[type=submit]");

        await page.GotoAsync(Ui.Url);
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        await page.Locator("#key").FillAsync("not-the-key");
        var refused = await page.RunAndWaitForResponseAsync(() => signInButton.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(401, refused.Status);
        await Assertions.Expect(page.Locator(".error")).ToHaveTextAsync("Wrong API key: check it and try again.");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "chatengine_session");

        await page.Locator("#key").FillAsync(Key);
        await signInButton.ClickAsync();
        await chat.WaitUntilInteractiveAsync();
        Assert.Equal(Ui.Url, page.Url);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "chatengine_session");
        Assert.Equal((true, SameSiteAttribute.Lax), (cookie.HttpOnly, cookie.SameSite));
        Assert.DoesNotContain(Key, Uri.UnescapeDataString(cookie.Value), StringComparison.Ordinal);

        await chat.SendAsync("Hi");
        await chat.WaitForAnswerAsync();
        Assert.False(string.IsNullOrEmpty(await chat.LastAnswer.Locator(".content").TextContentAsync()));

        await page.Locator(".sign-out button").ClickAsync();
        await page.WaitForURLAsync("**/signin");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "chatengine_session");
        await page.GotoAsync(Ui.Url);
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task The_session_cookie_authorizes_the_api_and_the_hub_and_a_forged_one_does_not()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Ui.Server.BaseAddress };
        using var signIn = await http.PostAsync("/signin", new FormUrlEncodedContent([new("key", Key), new("returnUrl", "//evil.example/")]));
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie")).Split(';')[0];
        var tampered = session[..^1] + (session[^1] == 'A' ? 'B' : 'A');
        var longer = session.Replace("=", "=9", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Get, "/v1/models", session));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1", session));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", session));
        foreach (var cookie in new[] { null, tampered, longer })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Get, "/v1/models", cookie));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1", cookie));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", cookie));
        }
    }

    [Fact]
    public async Task A_page_load_without_a_session_is_sent_to_sign_in_and_an_api_call_gets_401()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Ui.Server.BaseAddress };
        using var pageLoad = new HttpRequestMessage(HttpMethod.Get, "/?conversation=1");
        pageLoad.Headers.Accept.ParseAdd("text/html");

        using var redirected = await http.SendAsync(pageLoad);
        using var api = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/signin?returnUrl=%2F%3Fconversation%3D1", redirected.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("invalid_api_key", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public sealed class KeyedServer : IAsyncLifetime
    {
        private UiServer? _server;

        public UiServer Server => _server ?? throw new InvalidOperationException("fixture not started");

        public async Task InitializeAsync() => _server = await UiServer.StartAsync(o => o with { ApiKey = Key });

        public async Task DisposeAsync()
        {
            if (_server is not null) await _server.DisposeAsync();
        }
    }
}
