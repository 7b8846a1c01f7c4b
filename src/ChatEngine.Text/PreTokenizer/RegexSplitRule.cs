using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// A pre-tokenizer pattern run the way llama.cpp runs the ones it has no hand-written matcher for (std::regex,
/// ECMAScript flavour, ASCII-only \s): patterns with \p{N}/\p{L}/\p{P} run on the collapsed text (see
/// <see cref="SplitInput.Collapsed"/>) with those classes rewritten to the stand-ins; other patterns run on the code
/// points themselves (one char each), non-ASCII whitespace turned into \v.
/// </summary>
internal sealed class RegexSplitRule : SplitRule
{
    /// <summary>Stand-in for supplementary-plane code points the pattern lists in <c>supplementaryMembers</c>.</summary>
    public const char SupplementaryMember = '\uE001';

    /// <summary>Stand-in for every other supplementary-plane or private-use code point (matched by no class).</summary>
    private const char Unlisted = '\uE000';

    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    private readonly Regex _regex;
    private readonly bool _collapsed;
    private readonly (int First, int Last)[] _supplementaryMembers;

    private RegexSplitRule(string dotnetPattern, bool collapsed, (int, int)[] supplementaryMembers)
    {
        _regex = Compiled.GetOrAdd(dotnetPattern, p => new Regex(p, RegexOptions.ECMAScript | RegexOptions.Compiled));
        _collapsed = collapsed;
        _supplementaryMembers = supplementaryMembers;
    }

    /// <summary>A pattern written with llama.cpp's \p{N}, \p{L}, \p{P} classes (ASCII otherwise).</summary>
    public static RegexSplitRule WithCategories(string llamaPattern) => new(CollapsePattern(llamaPattern), true, []);

    /// <summary>
    /// A pattern without Unicode classes, already in .NET syntax; supplementary-plane code points that fall in
    /// <paramref name="supplementaryMembers"/> are presented to it as <see cref="SupplementaryMember"/>.
    /// </summary>
    public static RegexSplitRule OnCodepoints(string dotnetPattern, params (int First, int Last)[] supplementaryMembers) =>
        new(dotnetPattern, false, supplementaryMembers);

    public override List<int> Split(SplitInput input, List<int> segments)
    {
        var text = _collapsed ? input.Collapsed : WideText(input);
        var output = new List<int>(segments.Count * 2);
        var start = 0;
        foreach (var length in segments)
        {
            SplitSegment(text.Slice(start, length), output);
            start += length;
        }
        return output;
    }

    private void SplitSegment(ReadOnlySpan<char> segment, List<int> output)
    {
        var previousEnd = 0;
        foreach (var match in _regex.EnumerateMatches(segment))
        {
            if (match.Index > previousEnd) output.Add(match.Index - previousEnd);
            output.Add(match.Length);
            previousEnd = match.Index + match.Length;
        }
        if (previousEnd < segment.Length) output.Add(segment.Length - previousEnd);
    }

    private ReadOnlySpan<char> WideText(SplitInput input)
    {
        var text = new char[input.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var cp = input.Codepoints[i];
            text[i] = cp < 128 ? (char)cp
                : input.Classes[i].HasFlag(CodepointClass.Whitespace) ? '\v'
                : cp is >= 0xE000 and <= 0xF8FF ? Unlisted
                : cp <= 0xFFFF ? (char)cp
                : IsListed(cp) ? SupplementaryMember
                : Unlisted;
        }
        return text;
    }

    private bool IsListed(int cp)
    {
        foreach (var (first, last) in _supplementaryMembers)
        {
            if (cp >= first && cp <= last) return true;
        }
        return false;
    }

    /// <summary>
    /// Rewrites \p{N}, \p{L}, \p{P} into classes of their stand-in plus ASCII members (inside a [...] class only the
    /// members are inserted), exactly like llama.cpp's collapsed-regex rewrite.
    /// </summary>
    internal static string CollapsePattern(string pattern)
    {
        var result = new StringBuilder(pattern.Length * 2);
        var insideClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '[' && (i == 0 || pattern[i - 1] != '\\'))
            {
                result.Append('[');
                insideClass = true;
                continue;
            }
            if (insideClass && c == ']' && pattern[i - 1] != '\\')
            {
                result.Append(']');
                insideClass = false;
                continue;
            }
            if (c == '\\' && i + 4 < pattern.Length && pattern[i + 1] == 'p' && pattern[i + 2] == '{' && pattern[i + 4] == '}')
            {
                var members = pattern[i + 3] switch
                {
                    'N' => CollapsedClass.Number + CollapsedClass.AsciiNumbers,
                    'L' => CollapsedClass.Letter + CollapsedClass.AsciiLetters,
                    'P' => CollapsedClass.Punctuation + CollapsedClass.AsciiPunctuation,
                    _ => null,
                };
                if (members is not null)
                {
                    result.Append(insideClass ? members : "[" + members + "]");
                    i += 4;
                    continue;
                }
            }
            if (c > 127) throw new ArgumentException($"pattern mixes Unicode classes and non-ASCII characters: {pattern}", nameof(pattern));
            result.Append(c);
        }
        return result.ToString();
    }
}
