namespace ChatEngine.Runtime.Model;

/// <summary>
/// The tokens of one or more sequences for a single forward pass (<see cref="Transformer.Evaluate(TokenBatch, Span{float})"/>),
/// like llama.cpp's ubatch: every token carries its sequence's <see cref="KvCache"/> and its position there, so each
/// weight matrix is read once for all of them while attention stays per sequence. A sequence's tokens are added at
/// once and continue its cache (positions <c>cache.Length</c>, +1, ...). Each token also records the
/// <see cref="SummationOrder"/> of its solo evaluation, so it gets bit for bit what <see cref="InferenceContext.Evaluate"/>
/// gives. Reusable: <see cref="Clear"/> keeps the memory.
/// </summary>
public sealed class TokenBatch
{
    private readonly int _vocabularySize;
    private int[] _tokens;
    private int[] _positions;
    private KvCache[] _caches;
    private bool[] _wantsLogits;
    private SummationOrder[] _orders;
    private Segment[] _segments = new Segment[8];
    private int _segmentCount;

    public TokenBatch(int vocabularySize, int capacity = Transformer.MaxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _vocabularySize = vocabularySize;
        _tokens = new int[capacity];
        _positions = new int[capacity];
        _caches = new KvCache[capacity];
        _wantsLogits = new bool[capacity];
        _orders = new SummationOrder[capacity];
    }

    /// <summary>Tokens in the batch, all sequences together.</summary>
    public int Count { get; private set; }

    /// <summary>Rows of next-token logits the evaluation writes: one per token added with logits.</summary>
    public int LogitRows { get; private set; }

    /// <summary>
    /// Adds <paramref name="tokens"/> as the continuation of the sequence in <paramref name="cache"/> and returns the
    /// logits row of its first token with logits (rows follow the order of addition), or -1 when it asks for none.
    /// The tokens are computed as one <see cref="InferenceContext.Evaluate"/> call of them would compute them, or, with
    /// <paramref name="callLength"/>, as tokens [<paramref name="callOffset"/>, +count) of one call of that many tokens
    /// (a prompt split over several batches then gives what evaluating it at once gives).
    /// </summary>
    /// <exception cref="ContextOverflowException">The tokens do not fit in the cache.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id is outside the vocabulary, or the tokens lie outside the call.</exception>
    /// <exception cref="ArgumentException">The cache already has tokens in this batch.</exception>
    public int Add(KvCache cache, ReadOnlySpan<int> tokens, BatchLogits logits, int callOffset = 0, int callLength = -1)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (callLength < 0) callLength = tokens.Length;
        if (callOffset < 0 || callOffset + tokens.Length > callLength)
            throw new ArgumentOutOfRangeException(nameof(callOffset), callOffset, $"{tokens.Length} tokens at offset {callOffset} do not lie within a call of {callLength}");
        if (cache.Length + tokens.Length > cache.ContextSize) throw new ContextOverflowException(cache.Length + tokens.Length, cache.ContextSize);
        foreach (var token in tokens)
            if ((uint)token >= (uint)_vocabularySize) throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id outside the vocabulary of {_vocabularySize}");
        for (var s = 0; s < _segmentCount; s++)
            if (ReferenceEquals(_segments[s].Cache, cache)) throw new ArgumentException("this sequence already has tokens in the batch", nameof(cache));
        if (tokens.IsEmpty) return -1;

        EnsureCapacity(Count + tokens.Length);
        if (_segmentCount == _segments.Length) Array.Resize(ref _segments, 2 * _segments.Length);
        _segments[_segmentCount++] = new Segment(cache, cache.Length);
        var firstRow = logits == BatchLogits.None ? -1 : LogitRows;
        for (var i = 0; i < tokens.Length; i++)
        {
            var wants = logits == BatchLogits.All || (logits == BatchLogits.Last && i == tokens.Length - 1);
            var order = KvOrder(callOffset + i, callLength);
            // One logits row per chunk for Last, a row per token for All.
            if (wants && (logits == BatchLogits.Last || (order & SummationOrder.SingleTokenLayers) != 0)) order |= SummationOrder.SingleTokenOutput;
            _tokens[Count] = tokens[i];
            _positions[Count] = cache.Length + i;
            _caches[Count] = cache;
            _wantsLogits[Count] = wants;
            _orders[Count] = order;
            if (wants) LogitRows++;
            Count++;
        }
        return firstRow;
    }

    /// <summary>
    /// How a solo evaluation of <paramref name="callLength"/> tokens computes the keys and values of its token at
    /// <paramref name="offset"/> (the transformer splits a call into chunks of <see cref="Transformer.MaxBatch"/>).
    /// A cached position can stand in for a new evaluation's only when both agree.
    /// </summary>
    public static SummationOrder KvOrder(int offset, int callLength)
    {
        var chunkStart = offset / Transformer.MaxBatch * Transformer.MaxBatch;
        var order = SummationOrder.Batch;
        if (callLength == 1) order |= SummationOrder.SingleTokenAttention;
        if (Math.Min(Transformer.MaxBatch, callLength - chunkStart) == 1) order |= SummationOrder.SingleTokenLayers;
        return order;
    }

    public void Clear()
    {
        Array.Clear(_caches, 0, Count);
        Array.Clear(_segments, 0, _segmentCount);
        Count = 0;
        LogitRows = 0;
        _segmentCount = 0;
    }

    internal int Token(int index) => _tokens[index];
    internal int Position(int index) => _positions[index];
    internal KvCache Cache(int index) => _caches[index];
    internal bool WantsLogits(int index) => _wantsLogits[index];
    internal SummationOrder Order(int index) => _orders[index];

    /// <summary>Throws when a cache changed length since its tokens were added (the positions would be wrong).</summary>
    internal void CheckCachesUnchanged()
    {
        for (var s = 0; s < _segmentCount; s++)
            if (_segments[s].Cache.Length != _segments[s].StartPosition)
                throw new InvalidOperationException($"a sequence's cache holds {_segments[s].Cache.Length} positions, the batch was built for {_segments[s].StartPosition}; rebuild the batch");
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _tokens.Length) return;
        var size = Math.Max(needed, 2 * _tokens.Length);
        Array.Resize(ref _tokens, size);
        Array.Resize(ref _positions, size);
        Array.Resize(ref _caches, size);
        Array.Resize(ref _wantsLogits, size);
        Array.Resize(ref _orders, size);
    }

    private readonly record struct Segment(KvCache Cache, int StartPosition);
}
