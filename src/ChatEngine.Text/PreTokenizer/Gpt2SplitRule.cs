namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// Hand-written matcher for GPT-2's pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>,
/// with llama.cpp's behaviour (unicode_regex_split_custom_gpt2): contractions are case-sensitive.
/// </summary>
internal sealed class Gpt2SplitRule : CodepointSplitRule
{
    public static readonly Gpt2SplitRule Instance = new();

    protected override void SplitSegment(SplitInput input, int begin, int end, List<int> output)
    {
        var cps = input.Codepoints;
        var classes = input.Classes;
        CodepointClass ClassAt(int p) => p < end ? classes[p] : CodepointClass.None;
        int CodepointAt(int p) => p < end ? cps[p] : -1;

        var pos = begin;
        while (pos < end)
        {
            var start = pos;
            var cp = cps[pos];
            var cls = classes[pos];

            if (cp == '\'' && pos + 1 < end)
            {
                var next = cps[pos + 1];
                if (next is 's' or 't' or 'm' or 'd')
                {
                    output.Add(2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < end)
                {
                    var next2 = cps[pos + 2];
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l'))
                    {
                        output.Add(3);
                        pos += 3;
                        continue;
                    }
                }
            }

            var lead = cp == ' ' ? ClassAt(pos + 1) : cls;
            var skipSpace = cp == ' ' ? 1 : 0;
            if (lead.HasFlag(CodepointClass.Letter))
            {
                pos += skipSpace;
                while (ClassAt(pos).HasFlag(CodepointClass.Letter)) pos++;
                output.Add(pos - start);
                continue;
            }
            if (lead.HasFlag(CodepointClass.Number))
            {
                pos += skipSpace;
                while (ClassAt(pos).HasFlag(CodepointClass.Number)) pos++;
                output.Add(pos - start);
                continue;
            }
            if (IsOther(lead))
            {
                pos += skipSpace;
                while (IsOther(ClassAt(pos))) pos++;
                output.Add(pos - start);
                continue;
            }

            var spaces = 0;
            while (ClassAt(pos + spaces).HasFlag(CodepointClass.Whitespace)) spaces++;
            if (spaces > 1 && CodepointAt(pos + spaces) != -1)
            {
                pos += spaces - 1; // \s+(?!\S): leave the last space to prefix the next word
            }
            else
            {
                pos += spaces > 0 ? spaces : 1;
            }
            output.Add(pos - start);
        }
    }

    /// <summary>[^\s\p{L}\p{N}] for a position inside the text.</summary>
    internal static bool IsOther(CodepointClass cls) =>
        cls != CodepointClass.None && (cls & (CodepointClass.Whitespace | CodepointClass.Letter | CodepointClass.Number)) == 0;
}
