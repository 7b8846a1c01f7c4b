namespace ChatEngine.Runtime.Constraints;

/// <summary>A JSON array of <see cref="MinItems"/> to <see cref="MaxItems"/> values of <see cref="Items"/>.</summary>
internal sealed class ArrayRule(ValueRule items, int minItems, int maxItems) : ValueRule
{
    public ValueRule Items { get; } = items;
    public int MinItems { get; } = minItems;
    public int MaxItems { get; } = maxItems;

    public override int MinimumLength => 1 + Remaining(0);

    /// <summary>The fewest bytes that close the array once it holds <paramref name="count"/> items (the items'
    /// length is looked at only when more are needed: the any-value rule contains itself).</summary>
    public int Remaining(int count)
    {
        var missing = MinItems - count;
        return missing <= 0 ? 1 : missing * (1 + Items.MinimumLength) - (count == 0 ? 1 : 0) + 1;
    }

    public override bool TryStart(Frame parent, byte b, out JsonCursor next)
    {
        next = b == (byte)'[' ? new JsonCursor(new Frame(this, FramePhase.ArrayStart, 0, 0, parent), default) : default;
        return b == (byte)'[';
    }

    public bool Step(Frame frame, byte b, out JsonCursor next)
    {
        switch (frame.Phase)
        {
            case FramePhase.ArrayStart when b == (byte)']':
                next = frame.Close();
                return MinItems == 0;
            case FramePhase.ArrayStart:
                next = default;
                return MaxItems > 0 && Items.TryStart(frame, b, out next);
            case FramePhase.ArrayValue:
                return Items.TryStart(frame, b, out next);
            case FramePhase.ArrayNext when b == (byte)',' && frame.Count < MaxItems:
                next = frame.Enter(FramePhase.ArrayValue, 0, frame.Count);
                return true;
            case FramePhase.ArrayNext when b == (byte)']' && frame.Count >= MinItems:
                next = frame.Close();
                return true;
            default:
                next = default;
                return false;
        }
    }
}
