using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatEngine.Eval.Suites;

public enum CheckKind
{
    /// <summary>The answer, trimmed, equals the expected text (ordinal, case-sensitive).</summary>
    Exact,

    /// <summary>The expected text is a .NET regular expression that must match somewhere in the answer.</summary>
    Regex,

    /// <summary>The answer (trimmed, a surrounding ```json fence removed) parses as JSON.</summary>
    JsonValid,
}

/// <summary>How a suite line's answer is judged.</summary>
public sealed record QualityCheck(CheckKind Kind, string? Expected)
{
    public bool Passes(string answer)
    {
        var trimmed = answer.Trim();
        return Kind switch
        {
            CheckKind.Exact => trimmed == Expected,
            CheckKind.Regex => System.Text.RegularExpressions.Regex.IsMatch(answer, Expected!, RegexOptions.None, TimeSpan.FromSeconds(1)),
            CheckKind.JsonValid => IsJson(StripFence(trimmed)),
            _ => throw new InvalidOperationException($"unknown check {Kind}"),
        };
    }

    private static string StripFence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal) || text.Length < 6) return text;
        var body = text[3..^3];
        var newline = body.IndexOf('\n', StringComparison.Ordinal);
        return newline >= 0 && !body[..newline].Contains('{', StringComparison.Ordinal) ? body[(newline + 1)..] : body;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
