namespace ChatEngine.Runtime.Constraints;

/// <summary>What a <see cref="Leaf"/> did with one byte.</summary>
internal enum LeafStep
{
    /// <summary>Not allowed here (but the value may already be complete: see <see cref="ScalarRule.CanEnd"/>).</summary>
    Rejected,

    /// <summary>Consumed; the value goes on.</summary>
    Continued,

    /// <summary>Consumed, and the value is complete (a closing quote, the last byte of the only literal left).</summary>
    Closed,
}

/// <summary>A rule for a value without children (string, number, literal), matched byte by byte in a <see cref="Leaf"/>.</summary>
internal abstract class ScalarRule : ValueRule
{
    public abstract LeafStep Step(in Leaf leaf, byte b, out Leaf next);

    /// <summary>Whether the value read so far is complete if the next byte belongs to the parent (numbers, and
    /// literals that are a prefix of a longer one).</summary>
    public virtual bool CanEnd(in Leaf leaf) => false;

    /// <summary>The fewest bytes that complete the value <paramref name="leaf"/> has begun.</summary>
    public abstract int Rest(in Leaf leaf);

    /// <summary>Starts the leaf in <paramref name="initial"/> state and feeds it <paramref name="b"/>.</summary>
    protected bool Begin(Frame parent, Leaf initial, byte b, out JsonCursor next)
    {
        switch (Step(initial, b, out var leaf))
        {
            case LeafStep.Continued:
                next = new JsonCursor(parent, leaf);
                return true;
            case LeafStep.Closed:
                next = new JsonCursor(parent.ChildCompleted(leaf), default);
                return true;
            default:
                next = default;
                return false;
        }
    }
}
