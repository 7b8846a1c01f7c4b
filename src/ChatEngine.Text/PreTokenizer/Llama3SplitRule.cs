namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// Hand-written matcher for Llama 3's pattern
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// with llama.cpp's behaviour (unicode_regex_split_custom_llama3).
/// </summary>
internal sealed class Llama3SplitRule : CodepointSplitRule
{
    public static readonly Llama3SplitRule Instance = new();

    protected override void SplitSegment(SplitInput input, int begin, int end, List<int> output)
    {
        var cps = input.Codepoints;
        var classes = input.Classes;
        CodepointClass ClassAt(int p) => p < end ? classes[p] : CodepointClass.None;
        int CodepointAt(int p) => p < end ? cps[p] : -1;

        var pos = begin;
        var pieceStart = begin;
        void Emit(int until)
        {
            if (until > pieceStart) output.Add(until - pieceStart);
            pieceStart = until;
        }

        while (pos < end)
        {
            var cp = cps[pos];
            var cls = classes[pos];

            if (cp == '\'' && pos + 1 < end)
            {
                var next = AsciiLower(cps[pos + 1]);
                if (next is 's' or 't' or 'm' or 'd')
                {
                    pos += 2;
                    Emit(pos);
                    continue;
                }
                if (pos + 2 < end)
                {
                    var next2 = AsciiLower(cps[pos + 2]);
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l'))
                    {
                        pos += 3;
                        Emit(pos);
                        continue;
                    }
                }
            }

            if (!(cp == '\r' || cp == '\n' || cls.HasFlag(CodepointClass.Number))
                && (cls.HasFlag(CodepointClass.Letter) || ClassAt(pos + 1).HasFlag(CodepointClass.Letter)))
            {
                pos++;
                while (ClassAt(pos).HasFlag(CodepointClass.Letter)) pos++;
                Emit(pos);
                continue;
            }

            if (cls.HasFlag(CodepointClass.Number))
            {
                var groupStart = pos;
                while (ClassAt(pos).HasFlag(CodepointClass.Number))
                {
                    pos++;
                    if (pos - groupStart >= 3)
                    {
                        Emit(pos);
                        groupStart = pos;
                    }
                }
                Emit(pos);
                continue;
            }

            // llama.cpp tests the class of the current code point here, not of the one after the optional space.
            var lead = cp == ' ' ? ClassAt(pos + 1) : cls;
            if ((lead & (CodepointClass.Whitespace | CodepointClass.Letter | CodepointClass.Number)) == 0 && cls != CodepointClass.None)
            {
                if (cp == ' ') pos++;
                while (Gpt2SplitRule.IsOther(ClassAt(pos))) pos++;
                while (CodepointAt(pos) is '\r' or '\n') pos++;
                Emit(pos);
                continue;
            }

            var spaces = 0;
            var afterLastNewline = 0;
            while (ClassAt(pos + spaces).HasFlag(CodepointClass.Whitespace))
            {
                if (cps[pos + spaces] is '\r' or '\n') afterLastNewline = pos + spaces + 1;
                spaces++;
            }
            if (afterLastNewline > 0)
            {
                pos = afterLastNewline;
            }
            else if (spaces > 1 && CodepointAt(pos + spaces) != -1)
            {
                pos += spaces - 1;
            }
            else
            {
                pos += spaces > 0 ? spaces : 1;
            }
            Emit(pos);
        }
    }

    private static int AsciiLower(int cp) => cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
}
