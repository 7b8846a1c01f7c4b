using ChatEngine.Web.Rendering;
using Xunit;

namespace ChatEngine.Web.Tests;

public sealed class MarkdownRendererTests
{
    [Fact]
    public void Code_blocks_lists_and_emphasis_render_as_html()
    {
        var html = MarkdownRenderer.ToHtml("Some **bold** text\n\n```csharp\nvar x = 1 < 2;\n```\n\n- one\n- two");

        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"code\"><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\">Copy</button><pre><code class=\"language-csharp\">var x = 1 &lt; 2;", html, StringComparison.Ordinal);
        Assert.Contains("<li>two</li>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("hi <img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")]
    [InlineData("<div onclick=\"x()\">block</div>", "&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;")]
    public void Raw_html_is_escaped_as_text(string markdown, string expected)
    {
        var html = MarkdownRenderer.ToHtml(markdown);

        Assert.Contains(expected, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<div", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))", "href=\"#\"")]
    [InlineData("[click](JavaScript:alert(1))", "href=\"#\"")]
    [InlineData("![x](data:text/html;base64,PHNjcmlwdD4=)", "src=\"#\"")]
    [InlineData("[docs](https://example.org/a?b=c)", "href=\"https://example.org/a?b=c\"")]
    [InlineData("[here](/relative/path:with-colon)", "href=\"/relative/path:with-colon\"")]
    public void Only_web_and_relative_link_targets_survive(string markdown, string expected)
    {
        Assert.Contains(expected, MarkdownRenderer.ToHtml(markdown), StringComparison.Ordinal);
    }
}
