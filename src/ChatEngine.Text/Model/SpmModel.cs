using ChatEngine.Text.PreTokenizer;

namespace ChatEngine.Text.Model;

/// <summary>
/// SentencePiece-style tokenization as llama.cpp's llm_tokenizer_spm: spaces become U+2581 (and a leading one is
/// added after a special token or at the start when add_space_prefix is set), the text is split into UTF-8
/// characters, and the adjacent pair whose concatenation is the highest-scoring vocabulary entry (ties: leftmost) is
/// merged until none is left. Symbols that are not vocabulary entries are emitted as byte tokens (&lt;0xNN&gt;).
/// </summary>
internal sealed class SpmModel : ITokenizerModel
{
    private static readonly byte[] EscapedSpace = [0xE2, 0x96, 0x81];

    private readonly Vocabulary _vocabulary;
    private readonly int[] _byteTokens = new int[256];

    public SpmModel(Vocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        for (var b = 0; b < 256; b++)
        {
            var id = vocabulary.Find(System.Text.Encoding.ASCII.GetBytes($"<0x{b:X2}>"));
            _byteTokens[b] = id >= 0 ? id : vocabulary.Find([(byte)b]);
        }
    }

    public void Encode(ReadOnlySpan<byte> utf8, bool afterSpecial, List<int> output)
    {
        var text = Escape(utf8, afterSpecial && _vocabulary.AddSpacePrefix);
        if (text.Length == 0) return;

        var start = new List<int>(text.Length);
        var length = new List<int>(text.Length);
        for (var offset = 0; offset < text.Length; offset += length[^1])
        {
            start.Add(offset);
            length.Add(Math.Min(Utf8Codepoints.SequenceLength(text[offset]), text.Length - offset));
        }
        var count = start.Count;
        var len = length.ToArray();
        var prev = new int[count];
        var next = new int[count];
        for (var i = 0; i < count; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }

        var queue = new PriorityQueue<(int Left, int Right, int Size), (float Score, int Left)>(HighestScoreFirst.Instance);
        void TryAddPair(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var size = len[left] + len[right];
            var id = _vocabulary.Find(text.AsSpan(start[left], size));
            if (id >= 0) queue.Enqueue((left, right, size), (_vocabulary.Scores[id], left));
        }

        for (var i = 1; i < count; i++) TryAddPair(i - 1, i);
        while (queue.TryDequeue(out var pair, out _))
        {
            if (len[pair.Left] == 0 || len[pair.Right] == 0 || len[pair.Left] + len[pair.Right] != pair.Size) continue;
            len[pair.Left] += len[pair.Right];
            len[pair.Right] = 0;
            var after = next[pair.Right];
            next[pair.Left] = after;
            if (after >= 0) prev[after] = pair.Left;
            TryAddPair(prev[pair.Left], pair.Left);
            TryAddPair(pair.Left, after);
        }

        for (var i = 0; i != -1; i = next[i])
        {
            var symbol = text.AsSpan(start[i], len[i]);
            var id = _vocabulary.Find(symbol);
            if (id >= 0)
            {
                output.Add(id);
                continue;
            }
            foreach (var b in symbol) output.Add(ByteToken(b));
        }
    }

    private int ByteToken(byte b)
    {
        var id = _byteTokens[b];
        if (id >= 0) return id;
        // llama.cpp aborts here (byte_to_token throws); the unknown token is the graceful equivalent.
        return _vocabulary.UnknownId >= 0
            ? _vocabulary.UnknownId
            : throw new InvalidOperationException($"SPM vocabulary has no byte token <0x{b:X2}> and no unknown token");
    }

    private static byte[] Escape(ReadOnlySpan<byte> utf8, bool prefixSpace)
    {
        var spaces = prefixSpace ? 1 : 0;
        foreach (var b in utf8)
        {
            if (b == (byte)' ') spaces++;
        }
        var text = new byte[utf8.Length + spaces * 2 + (prefixSpace ? 1 : 0)];
        var o = 0;
        if (prefixSpace)
        {
            EscapedSpace.CopyTo(text, 0);
            o = 3;
        }
        foreach (var b in utf8)
        {
            if (b == (byte)' ')
            {
                EscapedSpace.CopyTo(text, o);
                o += 3;
            }
            else
            {
                text[o++] = b;
            }
        }
        return text;
    }

    private sealed class HighestScoreFirst : IComparer<(float Score, int Left)>
    {
        public static readonly HighestScoreFirst Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y) =>
            x.Score > y.Score ? -1 : x.Score < y.Score ? 1 : x.Left.CompareTo(y.Left);
    }
}
