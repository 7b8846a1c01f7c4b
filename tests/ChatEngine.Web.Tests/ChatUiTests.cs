using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>End to end in Chromium against the real server: streaming, Stop, persistence, escaping, concurrency.</summary>
[Collection(UiCollection.Name)]
public sealed class ChatUiTests(UiServerFixture fixture)
{
    private const string Greedy = """{"systemPrompt":"","temperature":0,"topP":1,"maxTokens":200}""";
    private UiServer Ui => fixture.Server;

    [Fact]
    public async Task Tokens_arrive_in_the_page_one_update_after_another()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        // Record the answer's text length at every DOM change while it is still streaming.
        await chat.Page.EvaluateAsync("""
            () => {
              window.__lengths = [];
              new MutationObserver(() => {
                const answer = document.querySelector('.message.assistant[data-state="streaming"] .content');
                if (answer) window.__lengths.push(answer.textContent.length);
              }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true });
            }
            """);

        await chat.SendAsync("Tell me a story about a cat.");
        await chat.WaitForAnswerAsync();

        var lengths = await chat.Page.EvaluateAsync<int[]>("() => window.__lengths");
        var final = (await chat.LastAnswer.Locator(".content").TextContentAsync())!.Length;
        var growing = lengths.Where(l => l > 0).Distinct().ToList();
        Assert.True(growing.Count >= 3, $"only {growing.Count} partial renders before completion: [{string.Join(", ", lengths)}]");
        Assert.True(growing.Max() <= final, $"a partial render ({growing.Max()}) is longer than the answer ({final})");
        await Assertions.Expect(chat.LastAnswer.Locator(".stats")).ToContainTextAsync("tok/s");
        await Assertions.Expect(chat.LastAnswer.Locator(".stats")).ToContainTextAsync("TTFT");

        await chat.Page.Locator(".toggle-settings").ClickAsync();
        await chat.Page.Locator(".settings").WaitForAsync();
        await chat.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("chat-desktop.png") });
        await chat.Page.Locator(".toggle-settings").ClickAsync();
        await chat.Page.SetViewportSizeAsync(390, 844);
        await chat.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("chat-phone.png") });
        await Assertions.Expect(chat.Page.Locator(".conversations")).ToBeHiddenAsync();
        await chat.Page.Locator(".toggle-conversations").ClickAsync();
        await Assertions.Expect(chat.Page.Locator(".conversations")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Stop_halts_the_answer_and_frees_the_server_slot()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":900}""");

        var cancelledBefore = await InterruptAnswerAsync(chat, () => chat.Page.Locator(".composer .stop").ClickAsync());

        await chat.WaitForAnswerAsync(10_000);
        var stoppedText = await chat.LastAnswer.Locator(".content").TextContentAsync();
        await Task.Delay(300);
        Assert.Equal(stoppedText, await chat.LastAnswer.Locator(".content").TextContentAsync());
        await Assertions.Expect(chat.LastAnswer.Locator(".stats")).ToContainTextAsync("stopped");
        Assert.True(Ui.Server.CancelledSequences > cancelledBefore, "the server never dropped the sequence");
        await Assertions.Expect(chat.Page.Locator(".composer .send")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Closing_the_tab_mid_answer_frees_the_server_slot()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":900}""");

        var cancelledBefore = await InterruptAnswerAsync(chat, () => chat.Page.CloseAsync());

        Assert.True(Ui.Server.CancelledSequences > cancelledBefore, "the answer ran to its end instead of being dropped");
    }

    /// <summary>Sends a prompt whose greedy answer runs to 900 tokens, lets 3 of them through, does
    /// <paramref name="interrupt"/> once text shows, then lets the answer go on one token at a time until the server
    /// drops it (or it ends) and every slot is idle. Returns the cancelled-sequence count from before.</summary>
    private async Task<long> InterruptAnswerAsync(ChatPageDriver chat, Func<Task> interrupt)
    {
        var cancelledBefore = Ui.Server.CancelledSequences;
        using var tokens = HoldTokens();
        try
        {
            await chat.SendAsync("Once upon a time");
            tokens.Release(3);
            await Assertions.Expect(chat.LastAnswer.Locator(".content")).Not.ToBeEmptyAsync();
            await interrupt();
            await ReleaseUntilCancelledAsync(tokens, cancelledBefore);
            await Ui.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Ui.Server.Scheduler!.BeforeSampling = null;
        }
        return cancelledBefore;
    }

    /// <summary>Every sampled token then waits for the test to release it, so an answer cannot end before the test acts.</summary>
    private SemaphoreSlim HoldTokens()
    {
        var tokens = new SemaphoreSlim(0);
        Ui.Server.Scheduler!.BeforeSampling = _ => tokens.Wait(TimeSpan.FromSeconds(30));
        return tokens;
    }

    /// <summary>Lets the held answer go on one token at a time until the server drops it, or to its end (900 tokens) if
    /// it never does.</summary>
    private async Task ReleaseUntilCancelledAsync(SemaphoreSlim tokens, long cancelledBefore)
    {
        for (var released = 0; released < 1000 && Ui.Server.CancelledSequences == cancelledBefore; released++)
        {
            tokens.Release();
            await Task.Delay(10);
        }
        tokens.Release(1000);
    }

    [Fact]
    public async Task A_reload_keeps_the_conversation_and_its_name()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        await chat.SendAsync("Where do rabbits live?");
        await chat.WaitForAnswerAsync();
        var answer = await chat.LastAnswer.Locator(".content").InnerHTMLAsync();
        // Renamed with the keyboard alone: focus the ✎ button, Enter, type over the name, Enter.
        await chat.Page.Locator(".conversations .rename-button").First.FocusAsync();
        await chat.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(chat.Page.Locator(".conversations .rename input")).ToBeFocusedAsync();
        await chat.Page.Keyboard.PressAsync("Control+A");
        await chat.Page.Keyboard.TypeAsync("Rabbits");
        await chat.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(chat.Page.Locator(".conversations .select").First).ToHaveTextAsync("Rabbits");

        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();

        await Assertions.Expect(chat.Page.Locator(".conversations .select")).ToHaveTextAsync(["Rabbits"]);
        await Assertions.Expect(chat.Page.Locator(".message.user .content")).ToHaveTextAsync("Where do rabbits live?");
        Assert.Equal(answer, await chat.LastAnswer.Locator(".content").InnerHTMLAsync());
    }

    [Fact]
    public async Task Deleting_a_conversation_asks_first_and_cancel_or_escape_keeps_it()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        await chat.SendAsync("Where do rabbits live?");
        await chat.WaitForAnswerAsync();
        var titles = chat.Page.Locator(".conversations .select");
        var title = await titles.First.TextContentAsync();
        var deleteButton = chat.Page.Locator(".conversations .delete-button").First;

        await deleteButton.ClickAsync();
        await Assertions.Expect(chat.Page.Locator(".conversations .confirm-delete")).ToContainTextAsync($"Delete “{title}”?");
        await Assertions.Expect(chat.Page.Locator(".conversations .delete-yes")).ToBeFocusedAsync();
        await chat.Page.Locator(".conversations .delete-no").ClickAsync();
        await Assertions.Expect(titles).ToHaveTextAsync([title!]);

        await deleteButton.ClickAsync();
        await Assertions.Expect(chat.Page.Locator(".conversations .delete-yes")).ToBeFocusedAsync();
        await chat.Page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(titles).ToHaveTextAsync([title!]);
        await Assertions.Expect(chat.Messages).ToHaveCountAsync(2);

        await deleteButton.ClickAsync();
        await chat.Page.Locator(".conversations .delete-yes").ClickAsync();
        await Assertions.Expect(titles).ToHaveCountAsync(0);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        await Assertions.Expect(titles).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Markup_in_user_and_model_text_is_shown_as_text()
    {
        const string payload = "<script>window.__injected = 1</script><img src=x onerror=\"window.__injected = 2\">";
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        // A stored conversation whose answer carries markup, as if the model had written it, beside a long (100 KB)
        // one that must load too.
        var stored = JsonSerializer.Serialize(new[]
        {
            new { id = "stored", title = "Stored", messages = new[] { new { role = "user", content = "hi" }, new { role = "assistant", content = "model says " + payload } } },
            new { id = "long", title = "Long", messages = new[] { new { role = "user", content = string.Concat(Enumerable.Repeat("a long line of text ", 5000)) } } },
        });
        await chat.Page.EvaluateAsync("s => { localStorage.setItem('chatengine.conversations', s); localStorage.setItem('chatengine.selected', 'stored'); }", stored);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".content")).ToContainTextAsync("<script>");
        await Assertions.Expect(chat.Page.Locator(".conversations .select")).ToHaveTextAsync(["Stored", "Long"]);

        await chat.SendAsync(payload);
        await chat.WaitForAnswerAsync();

        await Assertions.Expect(chat.Page.Locator(".message.user .content").Last).ToContainTextAsync(payload);
        Assert.Equal(0, await chat.Page.Locator(".messages script, .messages img").CountAsync());
        Assert.Equal("undefined", await chat.Page.EvaluateAsync<string>("() => typeof window.__injected"));
    }

    [Fact]
    public async Task A_reader_who_scrolled_up_stays_there_while_the_answer_streams()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":400}""");
        await chat.Page.SetViewportSizeAsync(320, 480);
        var messages = chat.Page.Locator("#messages");
        // The answer is still streaming when the reader scrolls.
        using var tokens = HoldTokens();
        try
        {
            await chat.SendAsync("Once upon a time there was a cat");
            tokens.Release(300);
            await chat.Page.WaitForFunctionAsync("() => { const m = document.getElementById('messages'); return m.scrollHeight > m.clientHeight + 100; }");
            // The reader scrolls to the top (again if a render still in flight took the view back to the end).
            await chat.Page.WaitForFunctionAsync(
                "() => { const m = document.getElementById('messages'); if (m.dataset.atEnd === 'false' && m.scrollTop === 0) return true; m.scrollTop = 0; return false; }",
                null, new() { PollingInterval = 100 });
            await Assertions.Expect(chat.Page.Locator(".message.assistant[data-state=streaming]")).ToHaveCountAsync(1);

            tokens.Release(1000);
            await chat.WaitForAnswerAsync();
            Assert.Equal(0, await messages.EvaluateAsync<double>("m => m.scrollTop"));

            await messages.EvaluateAsync("m => { m.scrollTop = m.scrollHeight; }");
            await chat.Page.WaitForFunctionAsync("() => document.getElementById('messages').dataset.atEnd === 'true'");
            await chat.MarkCurrentAnswerOldAsync();
            await chat.Page.Locator(".message.assistant .regenerate").ClickAsync();
            await chat.WaitForNewAnswerAsync();
            Assert.True(await messages.EvaluateAsync<bool>("m => m.scrollHeight - m.scrollTop - m.clientHeight < 48"), "a reader at the end was left behind");
        }
        finally
        {
            Ui.Server.Scheduler!.BeforeSampling = null;
        }
    }

    [Fact]
    public async Task The_view_keeps_following_when_the_text_grows_before_its_own_scroll_event()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        await chat.Page.SetViewportSizeAsync(320, 480);
        var stored = JsonSerializer.Serialize(new[]
        {
            new { id = "long", title = "Long", messages = new[] { new { role = "user", content = string.Concat(Enumerable.Repeat("a long line of text ", 400)) } } },
        });
        await chat.Page.EvaluateAsync("s => { localStorage.setItem('chatengine.conversations', s); localStorage.setItem('chatengine.selected', 'long'); }", stored);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        var messages = chat.Page.Locator("#messages");
        await messages.EvaluateAsync("m => { m.scrollTop = 0; }");
        await chat.Page.WaitForFunctionAsync("() => document.getElementById('messages').dataset.atEnd === 'false'");

        // As when a chunk lands between following the answer and the browser's scroll event for it: the event sees a
        // taller text than the one followed, yet the view was at the end and must go on following.
        var atEnd = await messages.EvaluateAsync<string>("""
            async m => {
                chatEngine.scrollToEnd('messages', true);
                const chunk = document.createElement('div');
                chunk.style.minHeight = '400px';
                m.appendChild(chunk);
                await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
                chunk.remove();
                return m.dataset.atEnd;
            }
            """);
        Assert.Equal("true", atEnd);
    }

    [Fact]
    public async Task Dark_mode_follows_the_system_and_the_toggle_is_remembered()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        const string background = "() => getComputedStyle(document.body).backgroundColor";
        await chat.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        var light = await chat.Page.EvaluateAsync<string>(background);
        await chat.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var dark = await chat.Page.EvaluateAsync<string>(background);
        Assert.Equal("rgb(247, 247, 248)", light);
        Assert.Equal("rgb(22, 22, 26)", dark);

        await chat.Page.Locator(".toggle-theme").ClickAsync();
        Assert.Equal(light, await chat.Page.EvaluateAsync<string>(background));
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        Assert.Equal(light, await chat.Page.EvaluateAsync<string>(background));

        await chat.Page.Locator(".toggle-theme").ClickAsync();
        await chat.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        Assert.Equal(dark, await chat.Page.EvaluateAsync<string>(background));
        await chat.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("chat-dark.png") });
    }

    [Fact]
    public async Task A_code_block_copy_button_puts_the_code_on_the_clipboard_and_tables_have_borders()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        await chat.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        const string code = "for i in range(3):\n    print(i < 2)";
        var stored = JsonSerializer.Serialize(new[]
        {
            new { id = "code", title = "Code", messages = new[]
            {
                new { role = "user", content = "show me" },
                new { role = "assistant", content = $"Here:\n\n```python\n{code}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |" },
            } },
        });
        await chat.Page.EvaluateAsync("s => { localStorage.setItem('chatengine.conversations', s); localStorage.setItem('chatengine.selected', 'code'); }", stored);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();

        var copy = chat.LastAnswer.Locator(".copy-code");
        await copy.ClickAsync();

        await Assertions.Expect(copy).ToHaveTextAsync("Copied");
        Assert.Equal(code, await chat.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.Equal("1px", await chat.LastAnswer.Locator("td").First.EvaluateAsync<string>("e => getComputedStyle(e).borderTopWidth"));
        Assert.Equal("solid", await chat.LastAnswer.Locator("td").First.EvaluateAsync<string>("e => getComputedStyle(e).borderTopStyle"));
    }

    [Fact]
    public async Task Regenerate_keeps_the_earlier_answers_to_page_through_after_a_reload()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"systemPrompt":"","temperature":1,"topP":1,"maxTokens":30}""");
        await chat.SendAsync("Once upon a time");
        await chat.WaitForAnswerAsync();
        var first = await chat.LastAnswer.Locator(".content").InnerTextAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".versions")).ToHaveCountAsync(0);

        await chat.MarkCurrentAnswerOldAsync();
        await chat.LastAnswer.Locator(".regenerate").ClickAsync();
        await chat.WaitForNewAnswerAsync();
        var second = await chat.LastAnswer.Locator(".content").InnerTextAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".version")).ToHaveTextAsync("2/2");
        await Assertions.Expect(chat.LastAnswer.Locator(".next-version")).ToBeDisabledAsync();

        await chat.LastAnswer.Locator(".previous-version").ClickAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".version")).ToHaveTextAsync("1/2");
        Assert.Equal(first, await chat.LastAnswer.Locator(".content").InnerTextAsync());
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".version")).ToHaveTextAsync("1/2");
        Assert.Equal(first, await chat.LastAnswer.Locator(".content").InnerTextAsync());

        await chat.LastAnswer.Locator(".next-version").ClickAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".version")).ToHaveTextAsync("2/2");
        Assert.Equal(second, await chat.LastAnswer.Locator(".content").InnerTextAsync());
        await chat.MarkCurrentAnswerOldAsync();
        await chat.LastAnswer.Locator(".regenerate").ClickAsync();
        await chat.WaitForNewAnswerAsync();
        await Assertions.Expect(chat.LastAnswer.Locator(".version")).ToHaveTextAsync("3/3");
    }

    [Fact]
    public async Task Search_filters_the_chats_and_export_downloads_the_selected_one()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: Greedy);
        var stored = JsonSerializer.Serialize(new[]
        {
            new { id = "rabbits", title = "Rabbits", messages = new[] { new { role = "user", content = "Where do rabbits live?" }, new { role = "assistant", content = "In burrows." } } },
            new { id = "boats", title = "Boats", messages = new[] { new { role = "user", content = "How do boats float?" } } },
        });
        await chat.Page.EvaluateAsync("s => { localStorage.setItem('chatengine.conversations', s); localStorage.setItem('chatengine.selected', 'rabbits'); }", stored);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilInteractiveAsync();
        var titles = chat.Page.Locator(".conversations .select");

        await chat.Page.Locator(".conversations .search").FillAsync("BURROW");
        await Assertions.Expect(titles).ToHaveTextAsync(["Rabbits"]);
        await chat.Page.Locator(".conversations .search").FillAsync("submarine");
        await Assertions.Expect(titles).ToHaveCountAsync(0);
        await Assertions.Expect(chat.Page.Locator(".conversations .no-match")).ToBeVisibleAsync();
        await chat.Page.Locator(".conversations .search").FillAsync("");
        await Assertions.Expect(titles).ToHaveTextAsync(["Rabbits", "Boats"]);

        var download = await chat.Page.RunAndWaitForDownloadAsync(() => chat.Page.Locator(".export-markdown").ClickAsync());
        Assert.Equal("rabbits.md", download.SuggestedFilename);
        var path = await download.PathAsync();
        Assert.Equal("# Rabbits\n\n**You:**\n\nWhere do rabbits live?\n\n**Assistant:**\n\nIn burrows.\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Keyboard_shortcuts_stop_the_answer_start_a_chat_and_focus_the_composer()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":900}""");

        await InterruptAnswerAsync(chat, () => chat.Page.Keyboard.PressAsync("Escape"));

        await chat.WaitForAnswerAsync(10_000);
        await Assertions.Expect(chat.LastAnswer.Locator(".stats")).ToContainTextAsync("stopped");

        await chat.Page.Locator(".topbar h1").ClickAsync();
        await chat.Page.Keyboard.PressAsync("/");
        await Assertions.Expect(chat.Composer).ToBeFocusedAsync();
        await Assertions.Expect(chat.Composer).ToHaveValueAsync("");

        var chats = await chat.Page.Locator(".conversations li").CountAsync();
        await chat.Page.Keyboard.PressAsync("Control+Shift+O");
        await Assertions.Expect(chat.Page.Locator(".conversations li")).ToHaveCountAsync(chats + 1);
    }

    [Fact]
    public async Task Two_browser_contexts_chat_at_the_same_time()
    {
        const string settings = """{"temperature":0,"topP":1,"maxTokens":150}""";
        await using var first = await Ui.OpenAsync(settingsJson: settings);
        await using var second = await Ui.OpenAsync(settingsJson: settings);
        // No token is sampled before both conversations reached the server, and the scheduler records how many slots
        // ran at each sampling: the overlap is then decided by the server, not by how fast the browsers type.
        var scheduler = Ui.Server.Scheduler!;
        var mostActive = 0;
        var bothArrived = false;
        scheduler.BeforeSampling = _ =>
        {
            bothArrived = bothArrived || SpinWait.SpinUntil(() => scheduler.ActiveSlots + scheduler.QueuedJobs >= 2, TimeSpan.FromSeconds(30));
            mostActive = Math.Max(mostActive, scheduler.ActiveSlots);
        };
        try
        {
            await Task.WhenAll(first.SendAsync("Once upon a time there was a dog"), second.SendAsync("Once upon a time there was a bird"));
            await Task.WhenAll(first.WaitForAnswerAsync(), second.WaitForAnswerAsync());
        }
        finally
        {
            scheduler.BeforeSampling = null;
        }

        Assert.Equal(2, mostActive);
        await Assertions.Expect(first.LastAnswer.Locator(".content")).Not.ToBeEmptyAsync();
        await Assertions.Expect(second.LastAnswer.Locator(".content")).Not.ToBeEmptyAsync();
        Assert.NotEqual(await first.LastAnswer.Locator(".content").TextContentAsync(), await second.LastAnswer.Locator(".content").TextContentAsync());
    }

    [Fact]
    public async Task Shift_enter_makes_a_new_line_and_regenerate_and_edit_resend_rerun_the_conversation()
    {
        await using var chat = await Ui.OpenAsync(settingsJson: """{"temperature":0,"topP":1,"maxTokens":40}""");
        await chat.Composer.PressSequentiallyAsync("line one");
        await chat.Composer.PressAsync("Shift+Enter");
        await chat.Composer.PressSequentiallyAsync("line two");
        await chat.Composer.PressAsync("Enter");
        await chat.WaitForAnswerAsync();
        Assert.Equal("line one\nline two", await chat.Page.Locator(".message.user .content").InnerTextAsync());
        var first = await chat.LastAnswer.Locator(".content").InnerTextAsync();

        await chat.MarkCurrentAnswerOldAsync();
        await chat.Page.Locator(".message.assistant .regenerate").ClickAsync();
        await chat.WaitForNewAnswerAsync();
        Assert.Equal(2, await chat.Messages.CountAsync());
        Assert.Equal(first, await chat.LastAnswer.Locator(".content").InnerTextAsync()); // greedy: same conversation, same answer

        await chat.MarkCurrentAnswerOldAsync();
        await chat.Page.Locator(".message.user .edit-button").ClickAsync();
        await chat.Page.Locator(".message.user .edit textarea").FillAsync("Tell me about the sea");
        await chat.Page.Locator(".message.user .edit button[type=submit]").ClickAsync();
        await chat.WaitForNewAnswerAsync();
        Assert.Equal(2, await chat.Messages.CountAsync());
        Assert.Equal("Tell me about the sea", await chat.Page.Locator(".message.user .content").InnerTextAsync());
        Assert.NotEqual(first, await chat.LastAnswer.Locator(".content").InnerTextAsync());
    }

    [Fact]
    public async Task A_system_prompt_preset_comes_from_the_prompts_folder()
    {
        var storyteller = File.ReadAllText(Path.Combine(ChatEngine.TestData.TestPaths.RepoRoot, "prompts", "storyteller.txt")).Trim();
        await using var chat = await Ui.OpenAsync();
        await chat.Page.Locator(".toggle-settings").ClickAsync();

        await chat.Page.Locator("#preset").SelectOptionAsync("storyteller");

        await Assertions.Expect(chat.Page.Locator("#system-prompt")).ToHaveValueAsync(storyteller);
        await chat.Page.Locator("#temperature").FillAsync("0.3");
        await Assertions.Expect(chat.Page.Locator("label[for=temperature] output")).ToHaveTextAsync("0.30");
    }
}
