using System.Text;
using ChatEngine.Text.PreTokenizer;

namespace ChatEngine.Text.Model;

/// <summary>
/// The ranked merges of a byte-level BPE vocabulary, over interned "pieces" (the strings that can occur as symbols:
/// the 256 byte characters and every merge result), so merging compares integers instead of strings.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<string, int> _pieceIds = new(StringComparer.Ordinal);
    private readonly List<string> _pieces = [];
    private readonly Dictionary<long, (int Rank, int Result)> _merges = [];
    private readonly int[] _bytePieces = new int[256];

    public BpeMergeTable(string[] merges)
    {
        for (var b = 0; b < 256; b++) _bytePieces[b] = Intern(ByteLevelAlphabet.CharFor((byte)b).ToString());
        for (var rank = 0; rank < merges.Length; rank++)
        {
            // As llama.cpp: split at the first space after the first character; a line without one is ignored.
            var line = merges[rank];
            var space = line.Length > 1 ? line.IndexOf(' ', 1) : -1;
            if (space < 0) continue;
            var left = Intern(line[..space]);
            var right = Intern(line[(space + 1)..]);
            var key = Key(left, right);
            if (!_merges.ContainsKey(key)) _merges[key] = (rank, Intern(line[..space] + line[(space + 1)..]));
        }
    }

    public int PieceCount => _pieces.Count;

    public string PieceText(int piece) => _pieces[piece];

    /// <summary>The piece of a single byte (its byte-level character).</summary>
    public int BytePiece(byte b) => _bytePieces[b];

    /// <summary>Rank and resulting piece of merging <paramref name="left"/> with <paramref name="right"/>; rank -1 if none.</summary>
    public (int Rank, int Result) Find(int left, int right) =>
        _merges.TryGetValue(Key(left, right), out var merge) ? merge : (-1, -1);

    /// <summary>UTF-8 bytes of each piece's text, for looking pieces up in the vocabulary.</summary>
    public byte[] PieceUtf8(int piece) => Encoding.UTF8.GetBytes(_pieces[piece]);

    private int Intern(string text)
    {
        if (_pieceIds.TryGetValue(text, out var id)) return id;
        id = _pieces.Count;
        _pieces.Add(text);
        _pieceIds.Add(text, id);
        return id;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
