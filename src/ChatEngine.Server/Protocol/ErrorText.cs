namespace ChatEngine.Server.Protocol;

/// <summary>Client-supplied text as error messages quote it: at most <see cref="MaxLength"/> characters, so a 100 KB
/// name is not echoed back whole.</summary>
internal static class ErrorText
{
    public const int MaxLength = 64;

    public static string Excerpt(string? text) =>
        text is null ? "" : text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), $"... ({text.Length} characters)");
}
