namespace ChatEngine.ModelStore;

/// <summary>
/// What <c>pull</c> is asked for: <c>owner/repo</c>, optionally <c>:FILE</c> (a file name) or <c>:QUANT</c> (e.g.
/// <c>Q4_K_M</c>, matched as a whole word in the repository's <c>.gguf</c> file names).
/// </summary>
public sealed record ModelSpec(string Repository, string? Selector)
{
    public static ModelSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var repository = colon < 0 ? text : text[..colon];
        var selector = colon < 0 ? null : text[(colon + 1)..];
        var parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p is "." or ".." || p.Any(c => !IsNameChar(c))))
            throw new ArgumentException($"'{text}' is not a hub repository: expected OWNER/NAME[:FILE|:QUANT]");
        if (selector is { Length: 0 }) throw new ArgumentException($"'{text}' has an empty file/quant after ':'");
        return new ModelSpec(repository, selector);
    }

    public override string ToString() => Selector is null ? Repository : $"{Repository}:{Selector}";

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
