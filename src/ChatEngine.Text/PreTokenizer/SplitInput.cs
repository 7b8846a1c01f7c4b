namespace ChatEngine.Text.PreTokenizer;

/// <summary>One text fragment as code points, with their classes and (on demand) the collapsed form regex rules use.</summary>
internal sealed class SplitInput
{
    private char[]? _collapsed;

    public SplitInput(int[] codepoints)
    {
        Codepoints = codepoints;
        Classes = CodepointClasses.Of(codepoints);
    }

    public int[] Codepoints { get; }
    public CodepointClass[] Classes { get; }

    public int Length => Codepoints.Length;

    /// <summary>
    /// One char per code point: ASCII kept, every other code point replaced by a stand-in for its class, as llama.cpp
    /// does before running std::regex (non-ASCII whitespace -> \v, \p{N} -> U+00D1, \p{L} -> U+00D2, \p{P} -> U+00D3,
    /// anything else -> U+00D0). Patterns refer to those stand-ins instead of \p{..}.
    /// </summary>
    public ReadOnlySpan<char> Collapsed => _collapsed ??= BuildCollapsed();

    private char[] BuildCollapsed()
    {
        var text = new char[Codepoints.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var cp = Codepoints[i];
            var cls = Classes[i];
            text[i] = cp < 128 ? (char)cp
                : cls.HasFlag(CodepointClass.Whitespace) ? '\v'
                : cls.HasFlag(CodepointClass.Number) ? CollapsedClass.Number
                : cls.HasFlag(CodepointClass.Letter) ? CollapsedClass.Letter
                : cls.HasFlag(CodepointClass.Punctuation) ? CollapsedClass.Punctuation
                : CollapsedClass.Other;
        }
        return text;
    }
}

/// <summary>The stand-in characters of the collapsed text, and the ASCII members of each class.</summary>
internal static class CollapsedClass
{
    public const char Other = '\u00D0';
    public const char Number = '\u00D1';
    public const char Letter = '\u00D2';
    public const char Punctuation = '\u00D3';

    public const string AsciiNumbers = "0-9";
    public const string AsciiLetters = "A-Za-z";
    public const string AsciiPunctuation = @"!-#%-*,-/:-;?-@\[-\]_\{\}";
}
