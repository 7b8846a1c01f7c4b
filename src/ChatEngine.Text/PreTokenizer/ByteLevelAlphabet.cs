namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// GPT-2's reversible byte-to-character mapping: printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100.. in byte order, so every byte sequence becomes a printable string.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByte = BuildCharToByte();

    public static char CharFor(byte b) => ByteToChar[b];

    /// <summary>The byte that code point <paramref name="cp"/> stands for, if it is one of the 256 byte characters.</summary>
    public static bool TryGetByte(int cp, out byte b)
    {
        var value = (uint)cp < (uint)CharToByte.Length ? CharToByte[cp] : (short)-1;
        b = (byte)value;
        return value >= 0;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[0x144];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (short)b;
        return map;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is (>= 0x21 and <= 0x7E) or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
