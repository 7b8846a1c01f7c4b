using System.Runtime.CompilerServices;
using ChatEngine.Text;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// Every token's bytes (<see cref="Tokenizer.TokenToPiece"/>, exactly what the detokenizer emits) in a byte trie, so
/// that a walk over it checks shared prefixes once and drops a whole subtree at the first byte the grammar refuses.
/// Tokens with no bytes (control, unknown) and end-of-generation tokens are not in it. Built once per tokenizer.
/// Inside a string most of the vocabulary is allowed; there the tokens that are plain text are marked in bulk (by
/// length) and the walk skips the subtrees that hold nothing else.
/// </summary>
public sealed class TokenTrie
{
    private static readonly ConditionalWeakTable<Tokenizer, TokenTrie> Cache = [];

    // Node 0 is the root; a node's children are the contiguous range [_firstChild[n], _firstChild[n] + _childCount[n]).
    private readonly byte[] _label;
    private readonly int[] _firstChild;
    private readonly int[] _childCount;
    private readonly int[] _firstToken;
    private readonly int[] _tokenCount;
    private readonly int[] _tokens;
    private readonly byte[][] _pieces;
    private readonly bool[] _onlyPlainBelow;
    private readonly int[] _plainByLength;
    private readonly int[] _plainLengths;

    private TokenTrie(Tokenizer tokenizer)
    {
        VocabSize = tokenizer.VocabSize;
        EndOfGeneration = tokenizer.EndOfGenerationTokens;
        _pieces = new byte[VocabSize][];
        var root = new BuildNode();
        var nodeCount = 1;
        for (var id = 0; id < VocabSize; id++)
        {
            _pieces[id] = tokenizer.TokenToPiece(id).ToArray();
            if (_pieces[id].Length == 0 || EndOfGeneration.Contains(id)) continue;
            var node = root;
            foreach (var b in _pieces[id])
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(b, out var child))
                {
                    node.Children[b] = child = new BuildNode();
                    nodeCount++;
                }
                node = child;
            }
            (node.Tokens ??= []).Add(id);
        }

        _label = new byte[nodeCount];
        _firstChild = new int[nodeCount];
        _childCount = new int[nodeCount];
        _firstToken = new int[nodeCount];
        _tokenCount = new int[nodeCount];
        var tokens = new List<int>(VocabSize);
        var queue = new Queue<(BuildNode Node, int Index)>();
        queue.Enqueue((root, 0));
        var next = 1;
        while (queue.TryDequeue(out var item))
        {
            var (node, index) = item;
            _firstToken[index] = tokens.Count;
            _tokenCount[index] = node.Tokens?.Count ?? 0;
            if (node.Tokens is not null) tokens.AddRange(node.Tokens);
            if (node.Children is null) continue;
            _firstChild[index] = next;
            _childCount[index] = node.Children.Count;
            foreach (var (b, child) in node.Children.OrderBy(c => c.Key))
            {
                _label[next] = b;
                queue.Enqueue((child, next++));
            }
        }
        _tokens = [.. tokens];
        NodeCount = nodeCount;

        var plainLength = new int[VocabSize];
        for (var id = 0; id < VocabSize; id++) plainLength[id] = EndOfGeneration.Contains(id) ? -1 : StringRule.PlainLength(_pieces[id]);
        _plainByLength = [.. Enumerable.Range(0, VocabSize).Where(id => plainLength[id] > 0).OrderBy(id => plainLength[id])];
        _plainLengths = [.. _plainByLength.Select(id => plainLength[id])];
        _onlyPlainBelow = new bool[nodeCount];
        // Children have higher indices than their parent (breadth-first numbering): fill bottom-up.
        for (var node = nodeCount - 1; node >= 0; node--)
        {
            var plain = true;
            for (var t = 0; t < _tokenCount[node]; t++) plain &= plainLength[_tokens[_firstToken[node] + t]] > 0;
            for (var c = 0; c < _childCount[node]; c++) plain &= _onlyPlainBelow[_firstChild[node] + c];
            _onlyPlainBelow[node] = plain;
        }
    }

    /// <summary>The trie of <paramref name="tokenizer"/>'s vocabulary (built on first use, then shared).</summary>
    public static TokenTrie For(Tokenizer tokenizer) => Cache.GetValue(tokenizer, t => new TokenTrie(t));

    public int VocabSize { get; }
    public int NodeCount { get; }


    public IReadOnlySet<int> EndOfGeneration { get; }

    public ReadOnlySpan<byte> Piece(int id) => _pieces[id];

    /// <summary>Sets <paramref name="allowed"/>[id] for every token whose bytes <paramref name="cursor"/> accepts
    /// (end-of-generation tokens when the document is complete); returns how many. With <paramref name="maxRest"/>,
    /// only tokens after which the document can still be completed in that many bytes (plain text never makes the
    /// rest longer, so the bulk-marked tokens need no check).</summary>
    public int MarkAllowed(in JsonCursor cursor, Span<bool> allowed, int maxRest = int.MaxValue)
    {
        var room = cursor.PlainTextRoom;
        var count = 0;
        var bulk = room > 0 && (maxRest == int.MaxValue || cursor.MinimumToFinish <= maxRest);
        if (bulk)
        {
            count = UpperBound(_plainLengths, room);
            foreach (var id in _plainByLength.AsSpan(0, count)) allowed[id] = true;
        }
        // With no room left plain text is never allowed; otherwise skip it only where it was marked in bulk.
        count += Visit(0, cursor, allowed, skipPlain: room == 0 || bulk, maxRest);
        if (cursor.IsAccepting)
        {
            foreach (var id in EndOfGeneration)
            {
                allowed[id] = true;
                count++;
            }
        }
        return count;
    }

    private int Visit(int node, in JsonCursor cursor, Span<bool> allowed, bool skipPlain, int maxRest)
    {
        var count = 0;
        var end = _firstChild[node] + _childCount[node];
        for (var child = _firstChild[node]; child < end; child++)
        {
            if (skipPlain && _onlyPlainBelow[child] || !cursor.TryAdvance(_label[child], out var next)) continue;
            if (_tokenCount[child] > 0 && (maxRest == int.MaxValue || next.MinimumToFinish <= maxRest))
            {
                var firstToken = _firstToken[child];
                for (var t = 0; t < _tokenCount[child]; t++) allowed[_tokens[firstToken + t]] = true;
                count += _tokenCount[child];
            }
            if (_childCount[child] > 0) count += Visit(child, next, allowed, skipPlain, maxRest);
        }
        return count;
    }

    // The number of entries <= value in an ascending array.
    private static int UpperBound(int[] sorted, int value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (sorted[middle] <= value) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    private sealed class BuildNode
    {
        public Dictionary<byte, BuildNode>? Children;
        public List<int>? Tokens;
    }
}
