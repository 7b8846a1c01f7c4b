namespace ChatEngine.Templates.Runtime;

/// <summary>
/// A string marked safe (the <c>safe</c>/<c>escape</c> filters). Like markupsafe.Markup, concatenating it with a plain
/// string with <c>+</c> HTML-escapes the plain string; everywhere else it behaves as its text.
/// </summary>
internal sealed record Markup(string Text)
{
    public override string ToString() => Text;

    public static Markup Escape(object? value) => value switch
    {
        Markup m => m,
        _ => new Markup(EscapeText(PyFormat.Str(value))),
    };

    private static string EscapeText(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal);
}
