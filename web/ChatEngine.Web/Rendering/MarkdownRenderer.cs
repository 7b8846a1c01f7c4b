using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ChatEngine.Web.Rendering;

/// <summary>
/// Markdown to HTML for message text (user and model alike, so neither can inject markup): raw HTML is disabled, so
/// Markdig escapes it and a <c>&lt;script&gt;</c> shows as text; no extension that writes attributes is enabled;
/// links and images keep only http(s), mailto and relative targets. Code blocks carry a copy button.
/// </summary>
public static class MarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseSoftlineBreakAsHardlineBreak()
        .DisableHtml()
        .Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
        }
        // Raw HTML is escaped, so every <pre> here is a code block Markdig wrote: each gets a copy button (chat.js).
        return document.ToHtml(Pipeline)
            .Replace("<pre>", "<div class=\"code\"><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\">Copy</button><pre>", StringComparison.Ordinal)
            .Replace("</pre>", "</pre></div>", StringComparison.Ordinal);
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return true;
        var pathStart = url.IndexOfAny(['/', '?', '#']);
        if (pathStart >= 0 && pathStart < colon) return true; // relative, with a colon later in the path
        return url[..colon].Trim().ToLowerInvariant() is "http" or "https" or "mailto";
    }
}
