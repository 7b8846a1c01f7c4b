namespace ChatEngine.Text.Detokenizer;

/// <summary>
/// llama.cpp's clean_spaces post-processing of detokenized BPE text (mirrors HF's clean_up_tokenization_spaces):
/// drops the space before ? ! . , ; turns " ' " into "'"; drops the space before 's 'm 're 've. Works in place
/// with the same index arithmetic as llama.cpp, which matters for runs like " ' ' ".
/// </summary>
internal static class SpaceCleanup
{
    /// <summary>Cleans <paramref name="text"/> in place and returns the new length.</summary>
    public static int Apply(Span<byte> text)
    {
        var total = DropSpaceBeforePunctuation(text);
        total = CollapseQuotedApostrophe(text[..total]);
        return DropSpaceBeforeContraction(text[..total]);
    }

    private static int DropSpaceBeforePunctuation(Span<byte> text)
    {
        var total = text.Length > 0 ? 1 : 0;
        for (var i = 1; i < text.Length; i++)
        {
            var x = text[i];
            if (text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',') total--;
            text[total++] = x;
        }
        return total;
    }

    private static int CollapseQuotedApostrophe(Span<byte> text)
    {
        var total = text.Length > 0 ? 1 : 0;
        for (var i = 1; i < text.Length; i++)
        {
            var x = text[i];
            if (x == '\'' && i + 1 < text.Length && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                total--;
                text[++i] = 0; // the following space is skipped, and later reads of it see the NUL
            }
            text[total++] = x;
        }
        return total;
    }

    private static int DropSpaceBeforeContraction(Span<byte> text)
    {
        var total = text.Length > 0 ? 1 : 0;
        for (var i = 1; i < text.Length; i++)
        {
            var x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < text.Length)
            {
                var x1 = text[i + 1];
                var removes = x1 is (byte)'s' or (byte)'m'
                    || (i + 2 < text.Length && x1 is (byte)'r' or (byte)'v' && text[i + 2] == 'e');
                if (removes) total--;
            }
            text[total++] = x;
        }
        return total;
    }
}
