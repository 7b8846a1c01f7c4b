using System.Collections.Concurrent;
using System.Text;
using ChatEngine.Text.PreTokenizer;

namespace ChatEngine.Text.Model;

/// <summary>
/// Byte-level BPE as llama.cpp's llm_tokenizer_bpe: pre-tokenize into words, then per word repeatedly merge the
/// adjacent pair with the lowest merge rank (ties: leftmost) using a priority queue over a linked list of symbols.
/// Results per word are cached, since natural text repeats words a lot.
/// </summary>
internal sealed class BpeModel : ITokenizerModel
{
    private const int MaxCachedWords = 100_000;

    private readonly Vocabulary _vocabulary;
    private readonly BpePreTokenizer _preTokenizer;
    private readonly BpeMergeTable _merges;
    private readonly int[] _pieceTokens;
    private readonly int[] _singleByteTokens = new int[256];
    private readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);

    public BpeModel(Vocabulary vocabulary, BpePreTokenizer preTokenizer, BpeMergeTable merges)
    {
        _vocabulary = vocabulary;
        _preTokenizer = preTokenizer;
        _merges = merges;
        _pieceTokens = new int[merges.PieceCount];
        for (var piece = 0; piece < _pieceTokens.Length; piece++) _pieceTokens[piece] = vocabulary.Find(merges.PieceUtf8(piece));
        for (var b = 0; b < 256; b++) _singleByteTokens[b] = vocabulary.Find([(byte)b]);
    }

    public void Encode(ReadOnlySpan<byte> utf8, bool afterSpecial, List<int> output)
    {
        foreach (var word in _preTokenizer.Split(utf8))
        {
            if (!_wordCache.TryGetValue(word, out var ids))
            {
                ids = EncodeWord(word);
                if (_wordCache.Count >= MaxCachedWords) _wordCache.Clear();
                _wordCache.TryAdd(word, ids);
            }
            output.AddRange(ids);
        }
    }

    private int[] EncodeWord(string word)
    {
        if (_preTokenizer.IgnoreMerges)
        {
            var whole = _vocabulary.Find(Encoding.UTF8.GetBytes(word));
            if (whole >= 0) return [whole];
        }

        var n = word.Length;
        var pieces = new int[n];
        var prev = new int[n];
        var next = new int[n];
        for (var i = 0; i < n; i++)
        {
            ByteLevelAlphabet.TryGetByte(word[i], out var b);
            pieces[i] = _merges.BytePiece(b);
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        var queue = new PriorityQueue<(int Left, int Right, int LeftPiece, int RightPiece, int Result), (int Rank, int Left)>();
        void TryAddPair(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var (rank, result) = _merges.Find(pieces[left], pieces[right]);
            if (rank >= 0) queue.Enqueue((left, right, pieces[left], pieces[right], result), (rank, left));
        }

        for (var i = 1; i < n; i++) TryAddPair(i - 1, i);
        while (queue.TryDequeue(out var pair, out _))
        {
            // A pair is stale once either side has been merged into something else.
            if (pieces[pair.Left] != pair.LeftPiece || pieces[pair.Right] != pair.RightPiece) continue;
            pieces[pair.Left] = pair.Result;
            pieces[pair.Right] = -1;
            var after = next[pair.Right];
            next[pair.Left] = after;
            if (after >= 0) prev[after] = pair.Left;
            TryAddPair(prev[pair.Left], pair.Left);
            TryAddPair(pair.Left, after);
        }

        var ids = new List<int>();
        for (var i = n > 0 ? 0 : -1; i != -1; i = next[i])
        {
            var token = _pieceTokens[pieces[i]];
            if (token >= 0)
            {
                ids.Add(token);
                continue;
            }
            // llama.cpp falls back to the vocabulary entries of the single raw bytes of the symbol's text; bytes
            // without such an entry are dropped.
            foreach (var b in _merges.PieceUtf8(pieces[i]))
            {
                if (_singleByteTokens[b] >= 0) ids.Add(_singleByteTokens[b]);
            }
        }
        return [.. ids];
    }
}
