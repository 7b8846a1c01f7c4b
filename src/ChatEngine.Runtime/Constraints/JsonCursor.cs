namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// A position in a document being matched against a <see cref="JsonGrammar"/>, one byte at a time: the stack of open
/// containers (<see cref="Frame"/>) and the scalar being written (<see cref="Leaf"/>). A small immutable value:
/// advancing returns a new cursor and leaves this one usable, which is what token masking needs.
/// </summary>
public readonly struct JsonCursor
{
    private readonly Frame _frame;
    private readonly Leaf _leaf;

    internal JsonCursor(Frame frame, Leaf leaf)
    {
        _frame = frame;
        _leaf = leaf;
    }

    /// <summary>The cursor before the first byte of a document of <paramref name="grammar"/>.</summary>
    public static JsonCursor Start(JsonGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        var root = Frame.Root(grammar.Root);
        return grammar.Root is CallRule { StartsInReasoning: true } call ? call.StartInReasoning(root) : new JsonCursor(root, default);
    }

    /// <summary>Consumes <paramref name="b"/>; false when the document cannot continue with it.</summary>
    public bool TryAdvance(byte b, out JsonCursor next)
    {
        var leaf = _leaf;
        if (leaf.IsActive)
        {
            var rule = leaf.Rule!;
            switch (rule.Step(leaf, b, out var stepped))
            {
                case LeafStep.Continued:
                    next = new JsonCursor(_frame, stepped);
                    return true;
                case LeafStep.Closed:
                    next = new JsonCursor(_frame.ChildCompleted(stepped), default);
                    return true;
            }
            // A number or literal may end where something else begins: the byte then belongs to the parent.
            if (!rule.CanEnd(leaf))
            {
                next = default;
                return false;
            }
            return _frame.ChildCompleted(leaf).TryStep(b, out next);
        }
        return _frame.TryStep(b, out next);
    }

    /// <summary>Consumes all of <paramref name="bytes"/>; false when one of them is not allowed.</summary>
    public bool TryAdvance(ReadOnlySpan<byte> bytes, out JsonCursor next)
    {
        var current = this;
        foreach (var b in bytes)
        {
            if (!current.TryAdvance(b, out current))
            {
                next = default;
                return false;
            }
        }
        next = current;
        return true;
    }

    /// <summary>The fewest bytes that complete the document from here (0 when it is complete).</summary>
    public int MinimumToFinish
    {
        get
        {
            int total;
            if (!_leaf.IsActive) total = _frame.Rest();
            else if (_frame.Phase == FramePhase.ObjectKey) total = ((ObjectRule)_frame.Rule).KeyRest(_leaf);
            else if (_frame.Phase == FramePhase.CallOpening) total = ((CallRule)_frame.Rule).OpeningRest(_leaf);
            else total = _leaf.Rule!.Rest(_leaf) + _frame.RestAfterChild();
            for (var outer = _frame.Parent; outer is not null; outer = outer.Parent) total += outer.RestAfterChild();
            return total;
        }
    }

    /// <summary>How many characters of plain text (<see cref="StringRule.PlainLength"/>) may follow, when the cursor
    /// is between characters of a string; -1 otherwise.</summary>
    internal int PlainTextRoom => _leaf.Rule is StringRule rule ? rule.Room(_leaf) : -1;

    /// <summary>The bytes so far form a complete document (it may still go on, e.g. a number at the root).</summary>
    public bool IsAccepting => _frame.Parent is null && (_frame.Phase == FramePhase.RootDone || _leaf.IsActive && _leaf.Rule!.CanEnd(_leaf));

    /// <summary>The document is complete and nothing may follow (a number at the root may end without being
    /// finished: it could take more digits).</summary>
    public bool IsFinished => _frame.Parent is null && (_frame.Phase == FramePhase.RootDone || IsAccepting && !CanTakeAnyByte());

    private bool CanTakeAnyByte()
    {
        for (var b = 0; b < 256; b++)
        {
            if (TryAdvance((byte)b, out _)) return true;
        }
        return false;
    }
}
