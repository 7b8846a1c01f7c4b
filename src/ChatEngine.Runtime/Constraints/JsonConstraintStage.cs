using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// The sampler stage of constrained decoding: keeps only the candidates whose bytes continue the document of a
/// <see cref="JsonGrammar"/> (end-of-generation only once it is complete). The generation loop reports each chosen
/// token through <see cref="Advance"/> (not through <see cref="ISamplerStage.Accept"/>, which also sees the prompt),
/// and the tokens it has left through <see cref="TokensLeft"/>: once the budget is tight, only tokens after which the
/// document can still be completed one byte per token are kept (every byte is a token in byte-fallback and byte-level
/// vocabularies), so the output is complete before the token limit. One per sequence.
/// </summary>
public sealed class JsonConstraintStage : ISamplerStage
{
    private readonly JsonGrammar _grammar;
    private readonly TokenTrie _trie;
    private readonly bool[] _allowed;
    private JsonCursor _cursor;

    public JsonConstraintStage(JsonGrammar grammar, TokenTrie trie)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(trie);
        _grammar = grammar;
        _trie = trie;
        _allowed = new bool[trie.VocabSize];
        _cursor = JsonCursor.Start(grammar);
    }

    /// <summary>The tokens this sequence may still generate, this one included.</summary>
    public int TokensLeft { get; set; } = int.MaxValue;

    public string Name => "json-grammar";

    /// <summary>The output so far is a complete document and nothing may follow it.</summary>
    public bool IsFinished => _cursor.IsFinished;

    public void Apply(CandidateList candidates)
    {
        Array.Clear(_allowed);
        // When even that is too late (a token limit below the shortest document), any continuation.
        if (_trie.MarkAllowed(_cursor, _allowed, TokensLeft - 1) == 0 && _trie.MarkAllowed(_cursor, _allowed) == 0)
            throw new InvalidOperationException("no token of the vocabulary can continue the constrained output");
        var items = candidates.Items;
        var kept = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (_allowed[items[i].Id]) items[kept++] = items[i];
        }
        candidates.OnFiltered(kept);
    }

    /// <summary>Moves the document on by the chosen token's bytes.</summary>
    public void Advance(int token)
    {
        if (_trie.EndOfGeneration.Contains(token)) return;
        if (!_cursor.TryAdvance(_trie.Piece(token), out var next))
            throw new InvalidOperationException($"token {token} does not continue the constrained output");
        _cursor = next;
    }

    public void Reset() => _cursor = JsonCursor.Start(_grammar);
}
