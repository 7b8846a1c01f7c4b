using System.Net;
using System.Net.Sockets;
using ChatEngine.Accounts;
using ChatEngine.Accounts.Tests;
using ChatEngine.Server;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>A server whose data directory has users: the UI signs in with a user name and password, the session cookie
/// names the user and ends with their password or their account, and failed attempts are throttled.</summary>
public sealed class UserSignInTests : IDisposable
{
    private const string Models = "/v1/models";
    private const string Hub = "/hubs/chat/negotiate?negotiateVersion=1";
    private const string Circuit = "/_blazor/negotiate?negotiateVersion=1";
    private readonly TemporaryDataDirectory _dir = new();
    private readonly AccountStore _store;

    public UserSignInTests()
    {
        _store = AccountStore.Open(_dir.Path);
        _store.AddUser("ada", "correct horse", isAdmin: false);
        _store.AddUser("bob", "battery staple", isAdmin: false);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_right_password_gets_a_session_for_the_api_the_hub_and_the_circuit_and_a_wrong_one_or_an_unknown_name_the_same_refusal()
    {
        await using var server = await UiServer.StartServerAsync(o => o with { DataDir = _dir.Path });
        using var http = Client(server);

        using var form = await http.GetAsync(SignInPage.Path);
        var formHtml = await form.Content.ReadAsStringAsync();
        Assert.Contains("id=\"userName\"", formHtml, StringComparison.Ordinal);
        Assert.Contains("id=\"password\"", formHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"key\"", formHtml, StringComparison.Ordinal);

        using var wrongPassword = await SignInAsync(http, ("userName", "ada"), ("password", "correct horsf"));
        using var unknownName = await SignInAsync(http, ("userName", "eve"), ("password", "correct horse"));
        foreach (var refused in new[] { wrongPassword, unknownName })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
            Assert.Contains(SignInPage.WrongPassword, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(await wrongPassword.Content.ReadAsStringAsync(), await unknownName.Content.ReadAsStringAsync());

        using var signedIn = await SignInAsync(http, ("userName", "ADA"), ("password", "correct horse"), ("returnUrl", "/?conversation=2"));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/?conversation=2", signedIn.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        var session = setCookie.Split(';')[0];
        var forged = session.Replace("=1.", "=2.", StringComparison.Ordinal);
        Assert.NotEqual(session, forged);
        foreach (var path in new[] { Models, Hub, Circuit })
        {
            var method = path == Models ? HttpMethod.Get : HttpMethod.Post;
            Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, method, path, session));
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInTests.StatusAsync(http, method, path, forged));
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInTests.StatusAsync(http, method, path, cookie: null));
        }
    }

    [Fact]
    public async Task A_session_ends_when_its_user_password_is_reset_or_the_user_is_removed()
    {
        await using var server = await UiServer.StartServerAsync(o => o with { DataDir = _dir.Path });
        using var http = Client(server);
        var ada = await SessionAsync(http, "ada", "correct horse");
        var bob = await SessionAsync(http, "bob", "battery staple");
        Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, ada));

        _store.ResetPassword("ada", "correct horse");
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, ada));
        Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, bob));
        var adaAgain = await SessionAsync(http, "ada", "correct horse");
        Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, adaAgain));

        _store.RemoveUser("bob");
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, bob));
        // A user made afresh under the old name (and maybe the old id) does not inherit the session either.
        _store.AddUser("bob", "battery staple", isAdmin: false);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, bob));
        Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, adaAgain));
    }

    [Fact]
    public async Task Five_failures_for_a_name_or_from_an_address_refuse_attempts_with_429_until_the_window_has_passed()
    {
        var clock = new ManualClock();
        await using var server = await UiServer.StartServerAsync(o => o with { DataDir = _dir.Path }, clock);
        using var first = Client(server, "127.0.0.1");
        using var second = Client(server, "127.0.0.2");

        for (var attempt = 0; attempt < SignInThrottle.MaxFailures; attempt++)
        {
            using var failed = await SignInAsync(first, ("userName", "ada"), ("password", $"guess {attempt}"));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            clock.Now += TimeSpan.FromMinutes(1);
        }

        // Ada's name is refused from anywhere, even with her password; the other address still signs bob in.
        using var byName = await SignInAsync(second, ("userName", "ada"), ("password", "correct horse"));
        Assert.Equal(HttpStatusCode.TooManyRequests, byName.StatusCode);
        Assert.False(byName.Headers.Contains("Set-Cookie"));
        Assert.Contains("Too many failed sign-ins: try again in 10 minutes.", await byName.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(10), byName.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(second, ("userName", "bob"), ("password", "battery staple"))).StatusCode);
        // The first address is refused for every name.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(first, ("userName", "bob"), ("password", "battery staple"))).StatusCode);

        clock.Now += TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(second, ("userName", "ada"), ("password", "correct horse"))).StatusCode);
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(second, ("userName", "ada"), ("password", "correct horse"))).StatusCode);
        // Four of the first address's failures are still in the window: one more refuses it again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(first, ("userName", "eve"), ("password", "x"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(first, ("userName", "bob"), ("password", "battery staple"))).StatusCode);
    }

    [Fact]
    public async Task With_users_and_an_api_key_the_page_offers_both_and_either_signs_in()
    {
        await using var server = await UiServer.StartServerAsync(o => o with { DataDir = _dir.Path, ApiKey = "server-key" });
        using var http = Client(server);

        var formHtml = await http.GetStringAsync(SignInPage.Path);
        Assert.Contains("id=\"userName\"", formHtml, StringComparison.Ordinal);
        Assert.Contains("id=\"key\"", formHtml, StringComparison.Ordinal);
        using var wrongKey = await SignInAsync(http, ("key", "server-kez"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Contains("Wrong API key", await wrongKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var session in new[] { await SessionAsync(http, ("key", "server-key")), await SessionAsync(http, ("userName", "bob"), ("password", "battery staple")) })
            Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, session));
    }

    [Fact]
    public async Task Without_users_or_a_key_there_is_nothing_to_sign_in_to_and_everything_stays_open()
    {
        using var empty = new TemporaryDataDirectory();
        await using var server = await UiServer.StartServerAsync(o => o with { DataDir = empty.Path });
        using var http = Client(server);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.ParseAdd("text/html");

        using var signInPage = await http.GetAsync(SignInPage.Path);
        using var signIn = await SignInAsync(http, ("userName", "ada"), ("password", "correct horse"));
        using var chatPage = await http.SendAsync(page);

        Assert.Equal((HttpStatusCode.SeeOther, "/"), (signInPage.StatusCode, signInPage.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.False(signIn.Headers.Contains("Set-Cookie"));
        Assert.Contains("nothing to sign in to", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chatPage.StatusCode);
        Assert.DoesNotContain("sign-out", await chatPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await SignInTests.StatusAsync(http, HttpMethod.Get, Models, cookie: null));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task In_chromium_a_user_signs_in_with_name_and_password_chats_signs_out_and_is_asked_again()
    {
        await using var ui = await UiServer.StartAsync(o => o with { DataDir = _dir.Path });
        var context = await ui.Browser.NewContextAsync();
        await using var chat = new ChatPageDriver(context, await context.NewPageAsync());
        var page = chat.Page;

        await page.GotoAsync(ui.Url);
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        await page.Locator("#userName").FillAsync("ada");
        await page.Locator("#password").FillAsync("correct horse");
        await page.Locator("form.user button[type=submit]").ClickAsync();
        await chat.WaitUntilInteractiveAsync();
        Assert.Equal(ui.Url, page.Url);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == ApiKeyAccess.CookieName);
        Assert.Equal((true, SameSiteAttribute.Lax), (cookie.HttpOnly, cookie.SameSite));

        await chat.SendAsync("Hi");
        await chat.WaitForAnswerAsync();
        Assert.False(string.IsNullOrEmpty(await chat.LastAnswer.Locator(".content").TextContentAsync()));

        await page.Locator(".sign-out button").ClickAsync();
        await page.WaitForURLAsync("**/signin");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == ApiKeyAccess.CookieName);
        await page.GotoAsync(ui.Url);
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.Locator("#userName")).ToBeVisibleAsync();
    }

    /// <summary>A client whose connections come from <paramref name="sourceAddress"/> (any 127.x address reaches the server).</summary>
    private static HttpClient Client(ChatEngineServer server, string sourceAddress = "127.0.0.1") => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (connection, cancellation) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                await socket.ConnectAsync(connection.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = server.BaseAddress };

    private static Task<HttpResponseMessage> SignInAsync(HttpClient http, params (string Name, string Value)[] fields) =>
        http.PostAsync(SignInPage.Path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    private static Task<string> SessionAsync(HttpClient http, string userName, string password) =>
        SessionAsync(http, ("userName", userName), ("password", password));

    /// <summary>The <c>name=value</c> of the session cookie a successful sign-in sets.</summary>
    private static async Task<string> SessionAsync(HttpClient http, params (string Name, string Value)[] fields)
    {
        using var response = await SignInAsync(http, fields);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0];
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
