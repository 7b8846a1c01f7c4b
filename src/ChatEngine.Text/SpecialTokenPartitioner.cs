namespace ChatEngine.Text;

/// <summary>A piece of the input: either a special token found in the text or a range of plain text.</summary>
internal readonly record struct Fragment(int TokenId, int Offset, int Length)
{
    public bool IsToken => TokenId >= 0;

    public static Fragment Text(int offset, int length) => new(-1, offset, length);
}

/// <summary>
/// Cuts special tokens out of the text before tokenization, as llama.cpp's tokenizer_st_partition: tokens are tried
/// longest first, each over every remaining plain fragment, leftmost occurrence first. Control and unknown tokens
/// count only when special tokens are parsed; user-defined tokens always do. Strip attributes swallow the ASCII
/// whitespace next to a match.
/// </summary>
internal static class SpecialTokenPartitioner
{
    public static List<Fragment> Partition(ReadOnlySpan<byte> text, Vocabulary vocabulary, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.IsEmpty) return fragments;
        fragments.Add(Fragment.Text(0, text.Length));

        var next = new List<Fragment>();
        foreach (var id in vocabulary.SpecialTokens)
        {
            var attributes = vocabulary.Attributes[id];
            if (!parseSpecial && attributes.Has(TokenAttributes.Control | TokenAttributes.Unknown)) continue;
            var needle = vocabulary.Utf8[id];

            next.Clear();
            foreach (var fragment in fragments)
            {
                if (fragment.IsToken)
                {
                    next.Add(fragment);
                    continue;
                }
                SplitOn(text, fragment.Offset, fragment.Length, id, needle, attributes, next);
            }
            (fragments, next) = (next, fragments);
        }
        return fragments;
    }

    private static void SplitOn(
        ReadOnlySpan<byte> text, int offset, int length, int id, byte[] needle, TokenAttributes attributes, List<Fragment> output)
    {
        while (true)
        {
            var found = text.Slice(offset, length).IndexOf(needle);
            if (found < 0)
            {
                output.Add(Fragment.Text(offset, length));
                return;
            }

            var leftLength = found;
            if (attributes.Has(TokenAttributes.LStrip))
            {
                while (leftLength > 0 && IsAsciiSpace(text[offset + leftLength - 1])) leftLength--;
            }
            if (leftLength > 0) output.Add(Fragment.Text(offset, leftLength));
            output.Add(new Fragment(id, offset + found, needle.Length));

            var rightOffset = offset + found + needle.Length;
            var rightLength = offset + length - rightOffset;
            if (attributes.Has(TokenAttributes.RStrip))
            {
                while (rightLength > 0 && IsAsciiSpace(text[rightOffset]))
                {
                    rightOffset++;
                    rightLength--;
                }
            }
            if (rightLength == 0) return;
            (offset, length) = (rightOffset, rightLength);
        }
    }

    private static bool IsAsciiSpace(byte b) => b is (byte)' ' or (>= 0x09 and <= 0x0D);
}
