using System.Runtime.InteropServices;

namespace ChatEngine.Text;

/// <summary>
/// Finds the token whose text is exactly a given UTF-8 byte sequence, without allocating (open addressing over the
/// vocabulary's byte strings). When two entries have the same text the later one wins, as in llama.cpp's token_to_id.
/// </summary>
internal sealed class Utf8TokenMap
{
    private readonly byte[][] _texts;
    private readonly int[] _slots; // token id + 1; 0 = empty
    private readonly int _mask;

    public Utf8TokenMap(byte[][] texts)
    {
        _texts = texts;
        var capacity = 16;
        while (capacity < texts.Length * 2) capacity <<= 1;
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (var id = 0; id < texts.Length; id++)
        {
            var slot = Hash(texts[id]) & _mask;
            while (_slots[slot] != 0 && !texts[_slots[slot] - 1].AsSpan().SequenceEqual(texts[id])) slot = (slot + 1) & _mask;
            _slots[slot] = id + 1;
        }
    }

    /// <summary>The token id whose text equals <paramref name="text"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> text)
    {
        var slot = Hash(text) & _mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0) return -1;
            if (_texts[entry - 1].AsSpan().SequenceEqual(text)) return entry - 1;
            slot = (slot + 1) & _mask;
        }
    }

    private static int Hash(ReadOnlySpan<byte> text)
    {
        // FNV-1a over 4-byte words then the tail: deterministic, fast enough for short token strings.
        var hash = 2166136261u;
        var words = MemoryMarshal.Cast<byte, uint>(text);
        foreach (var w in words) hash = (hash ^ w) * 16777619u;
        foreach (var b in text[(words.Length * 4)..]) hash = (hash ^ b) * 16777619u;
        hash ^= (uint)text.Length;
        hash ^= hash >> 15;
        hash *= 0x2c1b3c6du;
        hash ^= hash >> 12;
        return (int)(hash & 0x7fffffff);
    }
}
