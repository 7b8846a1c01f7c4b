using System.Text.RegularExpressions;
using Bunit;
using ChatEngine.Web.Components;
using ChatEngine.Web.Conversations;
using Xunit;

namespace ChatEngine.Web.Tests.Components;

/// <summary>One message rendered on its own (bUnit): its body, reasoning, answer versions and speed figures.</summary>
public sealed class MessageViewTests : BunitContext
{
    public MessageViewTests() => JSInterop.Mode = JSRuntimeMode.Loose;

    [Fact]
    public void Markdown_renders_and_html_in_the_message_shows_as_text()
    {
        var view = Render<MessageView>(p => p.Add(m => m.Entry, new ChatEntry { Role = "assistant", Content = "Some **bold** <script>alert(1)</script>" }));

        var content = view.Find(".content");
        Assert.Equal("bold", content.QuerySelector("strong")?.TextContent);
        Assert.Empty(content.QuerySelectorAll("script"));
        Assert.Contains("<script>alert(1)</script>", content.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Reasoning_shows_in_a_Thinking_block_open_only_while_it_streams_alone()
    {
        var entry = new ChatEntry { Role = "assistant", Reasoning = "the user greets me" };
        var view = Render<MessageView>(p => p.Add(m => m.Entry, entry).Add(m => m.Streaming, true));

        var block = view.Find("details.reasoning");
        Assert.Equal("Thinking", block.QuerySelector("summary")?.TextContent);
        Assert.Equal("the user greets me", block.QuerySelector(".reasoning-text")?.TextContent);
        Assert.True(block.HasAttribute("open"));

        entry.Content = "Hello!";
        view.Render(p => p.Add(m => m.Entry, entry).Add(m => m.Streaming, true));
        Assert.False(view.Find("details.reasoning").HasAttribute("open"));

        view.Render(p => p.Add(m => m.Entry, entry).Add(m => m.Streaming, false));
        Assert.False(view.Find("details.reasoning").HasAttribute("open"));
    }

    [Fact]
    public void An_answer_without_reasoning_has_no_Thinking_block()
    {
        var view = Render<MessageView>(p => p.Add(m => m.Entry, new ChatEntry { Role = "assistant", Content = "Hello!" }));

        Assert.Empty(view.FindAll("details.reasoning"));
    }

    [Fact]
    public void Versions_show_their_position_and_step_to_the_neighbouring_answer()
    {
        var entry = new ChatEntry
        {
            Role = "assistant", Content = "second", Shown = 1,
            Versions = [new AnswerVersion("first", null), new AnswerVersion("second", null), new AnswerVersion("third", null)],
        };
        var asked = new List<int>();
        var view = Render<MessageView>(p => p.Add(m => m.Entry, entry).Add(m => m.IsLast, true).Add(m => m.OnShowVersion, asked.Add));

        Assert.Equal("2/3", view.Find(".version").TextContent);
        view.Find(".previous-version").Click();
        view.Find(".next-version").Click();
        Assert.Equal([0, 2], asked);

        entry.Show(0);
        view.Render(p => p.Add(m => m.Entry, entry));
        Assert.Equal("1/3", view.Find(".version").TextContent);
        Assert.True(view.Find(".previous-version").HasAttribute("disabled"));
        Assert.False(view.Find(".next-version").HasAttribute("disabled"));
    }

    [Fact]
    public void A_single_answer_or_one_still_streaming_shows_no_versions()
    {
        var entry = new ChatEntry { Role = "assistant", Content = "x", Versions = [new AnswerVersion("a", null), new AnswerVersion("x", null)], Shown = 1 };

        Assert.Empty(Render<MessageView>(p => p.Add(m => m.Entry, entry).Add(m => m.Streaming, true)).FindAll(".versions"));
        Assert.Empty(Render<MessageView>(p => p.Add(m => m.Entry, new ChatEntry { Role = "assistant", Content = "x" })).FindAll(".versions"));
    }

    [Theory]
    [InlineData("stop", false, 0, "TTFT 123 ms · 45.7 tok/s · 42 tokens")]
    [InlineData("stopped", false, 0, "TTFT 123 ms · 45.7 tok/s · 42 tokens · stopped")]
    [InlineData("length", false, 0, "TTFT 123 ms · 45.7 tok/s · 42 tokens · max tokens reached")]
    [InlineData("length", true, 1, "TTFT 123 ms · 45.7 tok/s · 42 tokens · context full · the oldest message was left out to fit the context")]
    [InlineData("stop", false, 3, "TTFT 123 ms · 45.7 tok/s · 42 tokens · the 3 oldest messages were left out to fit the context")]
    public void The_stats_line_gives_speed_tokens_and_how_the_answer_ended(string finish, bool contextFull, int omitted, string expected)
    {
        var stats = new AnswerStats(finish, 42, 123.4, 45.66, contextFull, omitted);

        var view = Render<MessageView>(p => p.Add(m => m.Entry, new ChatEntry { Role = "assistant", Content = "x", Stats = stats }).Add(m => m.Stats, stats));

        Assert.Equal(expected, Regex.Replace(view.Find(".stats").TextContent, @"\s+", " ").Trim());
    }
}
