using System.Text;

namespace ChatEngine.ChatOutput;

/// <summary>
/// One parse of the text generated so far. A partial parse holds back what is still undecided (a suffix that could
/// become a marker, trailing whitespace), so each later parse of a longer text extends it: that is what streaming diffs.
/// </summary>
internal sealed class Snapshot
{
    public StringBuilder Content { get; } = new();
    public StringBuilder Reasoning { get; } = new();
    public List<CallSnapshot> Calls { get; } = [];
    public bool EndedMidCall { get; set; }
}

/// <summary>
/// A call as far as it is known. <see cref="Start"/> (its offset in the text) identifies it across parses.
/// <see cref="IdKnown"/>: false while an id written by the model may still follow, so the streamed header must wait.
/// </summary>
internal sealed record CallSnapshot(int Start, string? Name, string? Id, string Arguments, bool Complete, bool IdKnown = true);

internal enum Scan
{
    Complete,
    Partial,
    Fail,
}

internal static class TextScan
{
    public static int SkipSpace(string s, int p)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
        return p;
    }

    /// <summary>
    /// Matches a literal whose whitespace is flexible: each of its non-space words must follow, any whitespace (or none)
    /// before each. Partial when the text ends inside the literal.
    /// </summary>
    public static (Scan Result, int End) MatchLoose(string s, int p, string literal)
    {
        foreach (var word in literal.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            p = SkipSpace(s, p);
            var left = s.Length - p;
            if (left < word.Length)
                return string.CompareOrdinal(s, p, word, 0, left) == 0 ? (Scan.Partial, s.Length) : (Scan.Fail, p);
            if (string.CompareOrdinal(s, p, word, 0, word.Length) != 0) return (Scan.Fail, p);
            p += word.Length;
        }
        return (Scan.Complete, p);
    }

    public static string FirstWord(string literal) =>
        literal.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];

    /// <summary>Length of the longest suffix of s[from..] that is a proper prefix of one of the markers.</summary>
    public static int PartialMarkerSuffix(string s, int from, IEnumerable<string> markers)
    {
        var best = 0;
        foreach (var marker in markers)
        {
            for (var n = Math.Min(marker.Length - 1, s.Length - from); n > best; n--)
            {
                if (string.CompareOrdinal(s, s.Length - n, marker, 0, n) == 0)
                {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>
    /// Scans <c>open item, item, ... close</c> from p (whitespace allowed around items); <paramref name="item"/> scans one
    /// item at a position, <paramref name="onSeparator"/> runs at each comma. <paramref name="allowEmpty"/>: whether
    /// <c>open close</c> alone is complete.
    /// </summary>
    public static (Scan Result, int End) Sequence(
        string s, int p, char open, char close, Func<int, (Scan Result, int End)> item, Action? onSeparator = null, bool allowEmpty = true)
    {
        p = SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, s.Length);
        if (s[p] != open) return (Scan.Fail, p);
        p++;
        for (var first = true; ; first = false)
        {
            p = SkipSpace(s, p);
            if (p >= s.Length) return (Scan.Partial, s.Length);
            if (s[p] == close && (allowEmpty || !first)) return (Scan.Complete, p + 1);
            if (!first)
            {
                if (s[p] != ',') return (Scan.Fail, p);
                onSeparator?.Invoke();
                p = SkipSpace(s, p + 1);
            }
            var (result, end) = item(p);
            if (result != Scan.Complete) return (result, end);
            p = end;
        }
    }

    public static int TrailingSpace(string s, int from, int end)
    {
        var n = 0;
        while (end - n > from && char.IsWhiteSpace(s[end - n - 1])) n++;
        return n;
    }
}
