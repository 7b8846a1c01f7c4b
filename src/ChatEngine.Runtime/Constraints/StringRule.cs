namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// A JSON string of <see cref="MinLength"/> to <see cref="MaxLength"/> characters (code points; an escape counts as
/// the one character it stands for). Raw bytes must form well-formed UTF-8; control characters must be escaped;
/// <c>\u</c> escapes of UTF-16 surrogates are not produced (a lone one would not survive decoding).
/// </summary>
internal sealed class StringRule(int minLength, int maxLength) : ScalarRule
{
    private const int Plain = 0, AfterBackslash = 1, Hex1 = 2, Hex2 = 3, Hex3 = 4, Hex4 = 5, Hex2AfterD = 6;

    public static StringRule Unbounded { get; } = new(0, int.MaxValue);

    public int MinLength { get; } = minLength;
    public int MaxLength { get; } = maxLength;

    public override bool TryStart(Frame parent, byte b, out JsonCursor next)
    {
        if (b != (byte)'"')
        {
            next = default;
            return false;
        }
        next = new JsonCursor(parent, new Leaf(this, Plain, 0, 0));
        return true;
    }

    // Leaf: Phase = escape phase, Count = characters so far, Mask = UTF-8 continuation bytes still due (bits 0-7)
    // and the range the next one must be in (bits 8-15 lowest, 16-23 highest): Unicode's well-formed sequences.
    public override LeafStep Step(in Leaf leaf, byte b, out Leaf next)
    {
        next = leaf;
        if (leaf.Mask > 0)
        {
            if (b < (byte)(leaf.Mask >> 8) || b > (byte)(leaf.Mask >> 16)) return LeafStep.Rejected;
            next = leaf with { Mask = Continuation((int)(leaf.Mask & 0xFF) - 1, 0x80, 0xBF) };
            return LeafStep.Continued;
        }
        switch (leaf.Phase)
        {
            case AfterBackslash:
                if (b == (byte)'u') return Continue(out next, leaf, Hex1);
                return "\"\\/bfnrt"u8.Contains(b) ? Continue(out next, leaf, Plain) : LeafStep.Rejected;
            case Hex1:
                if (!IsHex(b)) return LeafStep.Rejected;
                return Continue(out next, leaf, b is (byte)'d' or (byte)'D' ? Hex2AfterD : Hex2);
            case Hex2AfterD:
                return b is >= (byte)'0' and <= (byte)'7' ? Continue(out next, leaf, Hex3) : LeafStep.Rejected;
            case Hex2:
            case Hex3:
            case Hex4:
                return IsHex(b) ? Continue(out next, leaf, leaf.Phase == Hex4 ? Plain : leaf.Phase + 1) : LeafStep.Rejected;
        }
        if (b == (byte)'"') return leaf.Count >= MinLength ? LeafStep.Closed : LeafStep.Rejected;
        if (b < 0x20 || leaf.Count >= MaxLength) return LeafStep.Rejected;
        if (b == (byte)'\\') return StartCharacter(out next, leaf, AfterBackslash, 0);
        var continuation = b switch
        {
            < 0x80 => 0UL,
            >= 0xC2 and <= 0xDF => Continuation(1, 0x80, 0xBF),
            0xE0 => Continuation(2, 0xA0, 0xBF),
            0xED => Continuation(2, 0x80, 0x9F),
            >= 0xE1 and <= 0xEF => Continuation(2, 0x80, 0xBF),
            0xF0 => Continuation(3, 0x90, 0xBF),
            >= 0xF1 and <= 0xF3 => Continuation(3, 0x80, 0xBF),
            0xF4 => Continuation(3, 0x80, 0x8F),
            _ => ulong.MaxValue,
        };
        return continuation == ulong.MaxValue ? LeafStep.Rejected : StartCharacter(out next, leaf, Plain, continuation);
    }

    private static ulong Continuation(int due, uint lowest, uint highest) => due == 0 ? 0 : (uint)due | (ulong)lowest << 8 | (ulong)highest << 16;

    public override int MinimumLength => 2 + MinLength;

    public override int Rest(in Leaf leaf)
    {
        var escape = leaf.Phase switch
        {
            AfterBackslash => 1,
            Hex1 => 4,
            Hex2 or Hex2AfterD => 3,
            Hex3 => 2,
            Hex4 => 1,
            _ => 0,
        };
        return (int)(leaf.Mask & 0xFF) + escape + Math.Max(0, MinLength - leaf.Count) + 1;
    }

    /// <summary>How many more characters fit when <paramref name="leaf"/> is between characters (not inside an
    /// escape or a UTF-8 sequence); -1 otherwise.</summary>
    public int Room(in Leaf leaf) => leaf.Phase == Plain && leaf.Mask == 0 ? MaxLength - leaf.Count : -1;

    /// <summary>The characters in <paramref name="bytes"/> when they are plain string text: complete UTF-8
    /// characters, none of them a quote, backslash or control character; -1 otherwise. Such bytes continue any string
    /// that is between characters and has that much <see cref="Room"/>.</summary>
    public static int PlainLength(ReadOnlySpan<byte> bytes)
    {
        var leaf = new Leaf(Unbounded, Plain, 0, 0);
        foreach (var b in bytes)
        {
            if (b == (byte)'\\' || Unbounded.Step(leaf, b, out leaf) != LeafStep.Continued) return -1;
        }
        return leaf.Mask == 0 ? leaf.Count : -1;
    }

    private static LeafStep Continue(out Leaf next, in Leaf leaf, int phase)
    {
        next = leaf with { Phase = phase };
        return LeafStep.Continued;
    }

    private static LeafStep StartCharacter(out Leaf next, in Leaf leaf, int phase, ulong continuation)
    {
        next = new Leaf(leaf.Rule, phase, leaf.Count + 1, continuation);
        return LeafStep.Continued;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);
}
