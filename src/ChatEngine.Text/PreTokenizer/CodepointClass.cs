using System.Globalization;

namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// The Unicode facts llama.cpp's pre-tokenizers look at: the general category group (\p{L}, \p{N} ...) and
/// White_Space membership. Unassigned code points are <see cref="Undefined"/> (non-zero, like llama.cpp's flags),
/// so only positions outside the text classify as <see cref="None"/>.
/// </summary>
[Flags]
internal enum CodepointClass : ushort
{
    None = 0,
    Undefined = 1 << 0,
    Number = 1 << 1,
    Letter = 1 << 2,
    Separator = 1 << 3,
    Mark = 1 << 4,
    Punctuation = 1 << 5,
    Symbol = 1 << 6,
    Control = 1 << 7,
    Whitespace = 1 << 8,
}

internal static class CodepointClasses
{
    private static readonly CodepointClass[] BasicPlane = BuildBasicPlane();

    public static CodepointClass Of(int cp) =>
        (uint)cp < (uint)BasicPlane.Length ? BasicPlane[cp] : cp <= 0x10FFFF ? Compute(cp) : CodepointClass.Undefined;

    public static CodepointClass[] Of(ReadOnlySpan<int> cps)
    {
        var result = new CodepointClass[cps.Length];
        for (var i = 0; i < cps.Length; i++) result[i] = Of(cps[i]);
        return result;
    }

    public static bool IsWhitespace(int cp) => cp is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    private static CodepointClass[] BuildBasicPlane()
    {
        var table = new CodepointClass[0x10000];
        for (var cp = 0; cp < table.Length; cp++) table[cp] = Compute(cp);
        return table;
    }

    private static CodepointClass Compute(int cp)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(cp) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodepointClass.Letter,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                => CodepointClass.Mark,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                => CodepointClass.Number,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                => CodepointClass.Separator,
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                => CodepointClass.Control,
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => CodepointClass.Punctuation,
            UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => CodepointClass.Symbol,
            _ => CodepointClass.Undefined,
        };
        return IsWhitespace(cp) ? category | CodepointClass.Whitespace : category;
    }
}
