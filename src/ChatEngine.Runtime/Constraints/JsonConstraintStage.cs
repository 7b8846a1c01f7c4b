using System.Runtime.InteropServices;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// The sampler stage of constrained decoding: keeps only the candidates whose bytes continue the document of a
/// <see cref="JsonGrammar"/> (end-of-generation only once it is complete). The generation loop reports each chosen
/// token through <see cref="Advance"/> (not through <see cref="ISamplerStage.Accept"/>, which also sees the prompt),
/// and the tokens it has left through <see cref="TokensLeft"/>: once the budget is tight, only tokens after which the
/// document can still be completed one byte per token are kept (every byte is a token in byte-fallback and byte-level
/// vocabularies), so the output is complete before the token limit. A lazy grammar (<see cref="JsonGrammar.LazyCall"/>)
/// filters nothing until its trigger appears in the output; the document then starts at the trigger's first byte
/// (also inside the token that completed it) and, once complete, the stage waits for the next trigger. One per sequence.
/// </summary>
public sealed class JsonConstraintStage : ISamplerStage
{
    private readonly JsonGrammar _grammar;
    private readonly TokenTrie _trie;
    private readonly bool[] _allowed;
    private readonly List<byte> _sinceLastCall = [];
    private JsonCursor _cursor;
    private bool _inDocument;

    public JsonConstraintStage(JsonGrammar grammar, TokenTrie trie)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(trie);
        _grammar = grammar;
        _trie = trie;
        _allowed = new bool[trie.VocabSize];
        Reset();
    }

    /// <summary>The tokens this sequence may still generate, this one included.</summary>
    public int TokensLeft { get; set; } = int.MaxValue;

    public string Name => "json-grammar";

    /// <summary>The output so far is a complete document and nothing may follow it (never for a lazy grammar).</summary>
    public bool IsFinished => _grammar.Trigger is null && _cursor.IsFinished;

    public void Apply(CandidateList candidates)
    {
        if (!_inDocument) return;
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

    /// <summary>Moves the document on by the chosen token's bytes (a lazy grammar: looks for its trigger in them).</summary>
    public void Advance(int token)
    {
        if (_trie.EndOfGeneration.Contains(token)) return;
        var piece = _trie.Piece(token);
        if (!_inDocument)
        {
            WatchForTrigger(piece);
            return;
        }
        if (!_cursor.TryAdvance(piece, out var next))
            throw new InvalidOperationException($"token {token} does not continue the constrained output");
        _cursor = next;
        if (_grammar.Trigger is not null && _cursor.IsFinished) Reset();
    }

    public void Reset()
    {
        _cursor = JsonCursor.Start(_grammar);
        _inDocument = _grammar.Trigger is null;
        _sinceLastCall.Clear();
    }

    private void WatchForTrigger(ReadOnlySpan<byte> piece)
    {
        var trigger = _grammar.Trigger!;
        foreach (var b in piece) _sinceLastCall.Add(b);
        var at = CollectionsMarshal.AsSpan(_sinceLastCall).IndexOf(trigger);
        if (at < 0)
        {
            if (_sinceLastCall.Count >= trigger.Length) _sinceLastCall.RemoveRange(0, _sinceLastCall.Count - (trigger.Length - 1));
            return;
        }
        // What the model wrote after the trigger in the same token must already follow the grammar; when it does not,
        // this was not a call the constraint can complete, and the text stays free.
        var started = JsonCursor.Start(_grammar).TryAdvance(CollectionsMarshal.AsSpan(_sinceLastCall)[at..], out var cursor) && !cursor.IsFinished;
        _sinceLastCall.Clear();
        if (!started) return;
        _cursor = cursor;
        _inDocument = true;
    }
}
