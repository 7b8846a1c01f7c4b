namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// UTF-8 to code points and back with llama.cpp's lenient rules: a lead byte is trusted for the sequence length
/// (no overlong or surrogate checks), and every byte that cannot start a complete sequence becomes one U+FFFD.
/// </summary>
internal static class Utf8Codepoints
{
    public const int ReplacementCharacter = 0xFFFD;

    /// <summary>Length of the sequence that <paramref name="leadByte"/> announces (1 for stray continuation bytes).</summary>
    public static int SequenceLength(byte leadByte) => (leadByte >> 4) switch
    {
        < 0xC => 1,
        < 0xE => 2,
        0xE => 3,
        _ => 4,
    };

    public static int[] Decode(ReadOnlySpan<byte> utf8)
    {
        var result = new int[utf8.Length];
        var count = 0;
        var offset = 0;
        while (offset < utf8.Length) result[count++] = DecodeOne(utf8, ref offset);
        return result.AsSpan(0, count).ToArray();
    }

    private static int DecodeOne(ReadOnlySpan<byte> s, ref int offset)
    {
        int b0 = s[offset];
        if ((b0 & 0x80) == 0)
        {
            offset += 1;
            return b0;
        }
        int length = (b0 & 0x40) == 0 ? 0 : (b0 & 0x20) == 0 ? 2 : (b0 & 0x10) == 0 ? 3 : (b0 & 0x08) == 0 ? 4 : 0;
        if (length == 0 || offset + length - 1 >= s.Length)
        {
            offset += 1;
            return ReplacementCharacter;
        }
        var cp = b0 & (0x7F >> length);
        for (var i = 1; i < length; i++)
        {
            var b = s[offset + i];
            if ((b & 0xC0) != 0x80)
            {
                offset += 1;
                return ReplacementCharacter;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        offset += length;
        return cp;
    }

    /// <summary>Appends the UTF-8 of <paramref name="cp"/>; surrogate values are encoded as-is, out-of-range ones as U+FFFD.</summary>
    public static void Append(int cp, List<byte> output)
    {
        if (cp < 0 || cp > 0x10FFFF) cp = ReplacementCharacter;
        if (cp <= 0x7F)
        {
            output.Add((byte)cp);
        }
        else if (cp <= 0x7FF)
        {
            output.Add((byte)(0xC0 | (cp >> 6)));
            output.Add((byte)(0x80 | (cp & 0x3F)));
        }
        else if (cp <= 0xFFFF)
        {
            output.Add((byte)(0xE0 | (cp >> 12)));
            output.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
            output.Add((byte)(0x80 | (cp & 0x3F)));
        }
        else
        {
            output.Add((byte)(0xF0 | (cp >> 18)));
            output.Add((byte)(0x80 | ((cp >> 12) & 0x3F)));
            output.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
            output.Add((byte)(0x80 | (cp & 0x3F)));
        }
    }
}
