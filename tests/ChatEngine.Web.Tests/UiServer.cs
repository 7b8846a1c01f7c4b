using ChatEngine.Server;
using ChatEngine.TestData;
using Microsoft.Playwright;

namespace ChatEngine.Web.Tests;

/// <summary>
/// The real server (API, hub and UI) on 127.0.0.1 with a free port, serving stories260K, and Debian's Chromium
/// driven by Playwright (headless; never a downloaded browser).
/// </summary>
public sealed class UiServer : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private UiServer(ChatEngineServer server, IPlaywright playwright, IBrowser browser)
    {
        Server = server;
        Playwright = playwright;
        Browser = browser;
    }

    public ChatEngineServer Server { get; }
    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }
    public string Url => Server.BaseAddress.ToString();

    public static async Task<UiServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var server = await StartServerAsync(configure);
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"],
        });
        return new UiServer(server, playwright, browser);
    }

    /// <summary>The server with the UI but no browser; the sign-in throttling reads <paramref name="clock"/>.</summary>
    public static async Task<ChatEngineServer> StartServerAsync(Func<ServerOptions, ServerOptions>? configure = null, TimeProvider? clock = null)
    {
        var options = new ServerOptions
        {
            ModelPath = TestPaths.Model("stories260K.gguf"), Port = 0, Parallel = 4, ContextSize = 1024, Threads = 1, QueueLimit = 8,
        };
        if (configure is not null) options = configure(options);
        var server = ChatEngineServer.Create(options, extensions: [new ChatUi(clock: clock)]);
        await server.StartAsync();
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>A fresh browser context (its own local storage) with the chat page open and interactive.</summary>
    public async Task<ChatPageDriver> OpenAsync(ViewportSize? viewport = null, string? settingsJson = null, Func<IPage, Task>? beforeLoad = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 } });
        if (settingsJson is not null)
            await context.AddInitScriptAsync($"if (!localStorage.getItem('chatengine.settings')) localStorage.setItem('chatengine.settings', {System.Text.Json.JsonSerializer.Serialize(settingsJson)});");
        var page = await context.NewPageAsync();
        var driver = new ChatPageDriver(context, page);
        if (beforeLoad is not null) await beforeLoad(page);
        await page.GotoAsync(Url);
        await driver.WaitUntilInteractiveAsync();
        return driver;
    }

    /// <summary>Polls until no slot runs a sequence; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForIdleSlotsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Server.ActiveSlots != 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Server.ActiveSlots} slots still active after {timeout}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Server.DisposeAsync();
    }
}
