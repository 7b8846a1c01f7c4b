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
/// count only when special tokens are parsed, and never where they overlap a literal range (text a caller wants read
/// as text, such as a chat message's content); user-defined tokens always do. Strip attributes swallow the ASCII
/// whitespace next to a match.
/// </summary>
internal static class SpecialTokenPartitioner
{
    /// <param name="text">The input.</param>
    /// <param name="vocabulary">The vocabulary whose special tokens are cut out.</param>
    /// <param name="parseSpecial">Whether control and unknown tokens are recognised at all.</param>
    /// <param name="literal">Sorted, non-overlapping ranges of <paramref name="text"/> in which no control or unknown
    /// token is recognised.</param>
    public static List<Fragment> Partition(ReadOnlySpan<byte> text, Vocabulary vocabulary, bool parseSpecial, ReadOnlySpan<ByteRange> literal)
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
            var skipped = attributes.Has(TokenAttributes.Control | TokenAttributes.Unknown) ? literal : [];

            next.Clear();
            foreach (var fragment in fragments)
            {
                if (fragment.IsToken)
                {
                    next.Add(fragment);
                    continue;
                }
                SplitOn(text, fragment.Offset, fragment.Length, id, needle, attributes, skipped, next);
            }
            (fragments, next) = (next, fragments);
        }
        return fragments;
    }

    private static void SplitOn(
        ReadOnlySpan<byte> text, int offset, int length, int id, byte[] needle, TokenAttributes attributes,
        ReadOnlySpan<ByteRange> skipped, List<Fragment> output)
    {
        var searchFrom = 0;
        while (true)
        {
            var next = text.Slice(offset + searchFrom, length - searchFrom).IndexOf(needle);
            if (next < 0)
            {
                output.Add(Fragment.Text(offset, length));
                return;
            }
            var found = searchFrom + next;
            var overlapped = FirstOverlap(skipped, offset + found, needle.Length);
            if (overlapped >= 0)
            {
                // Every later match starting before the range's end overlaps it too.
                searchFrom = Math.Min(skipped[overlapped].End - offset, length);
                continue;
            }
            searchFrom = 0;

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

    /// <summary>The index of the range in <paramref name="ranges"/> that [offset, offset + length) overlaps, or -1.</summary>
    private static int FirstOverlap(ReadOnlySpan<ByteRange> ranges, int offset, int length)
    {
        // The first range ending after offset is the only candidate, as the ranges are sorted and disjoint.
        int low = 0, high = ranges.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (ranges[middle].End <= offset) low = middle + 1;
            else high = middle;
        }
        return low < ranges.Length && ranges[low].Offset < offset + length ? low : -1;
    }

    private static bool IsAsciiSpace(byte b) => b is (byte)' ' or (>= 0x09 and <= 0x0D);
}
