namespace ChatEngine.Runtime.Constraints;

/// <summary>Where a <see cref="Frame"/> is within its value.</summary>
internal enum FramePhase : byte
{
    /// <summary>Document root: the value is expected or being written.</summary>
    RootValue,

    /// <summary>Document root: the value is complete; nothing may follow.</summary>
    RootDone,
    ObjectStart,
    ObjectKeyStart,
    ObjectKey,
    ObjectColon,
    ObjectValue,
    ObjectNext,
    ArrayStart,
    ArrayValue,
    ArrayNext,
    CallOpening,
    CallReasoning,
    CallArguments,
    CallClosing,
}

/// <summary>
/// An open container (or the document root) on the matcher's stack. Immutable, so a <see cref="JsonCursor"/> is a
/// value that can be copied and advanced along many token candidates; a new frame is made only at structural bytes.
/// <see cref="Index"/>: for objects, the next property that may come (or the one being written, from
/// <see cref="FramePhase.ObjectKey"/> to <see cref="FramePhase.ObjectValue"/>); <see cref="Count"/>: array items so far.
/// </summary>
internal sealed class Frame(ValueRule rule, FramePhase phase, int index, int count, Frame? parent)
{
    public ValueRule Rule { get; } = rule;
    public FramePhase Phase { get; } = phase;
    public int Index { get; } = index;
    public int Count { get; } = count;
    public Frame? Parent { get; } = parent;

    public static Frame Root(ValueRule rule) => new(rule, FramePhase.RootValue, 0, 0, null);

    public Frame With(FramePhase phase, int index, int count) => new(Rule, phase, index, count, Parent);

    /// <summary>This frame after the value (or key) it was waiting for is complete; <paramref name="leaf"/> is that
    /// value's final state when it was a scalar.</summary>
    public Frame ChildCompleted(in Leaf leaf) => Phase switch
    {
        FramePhase.RootValue => With(FramePhase.RootDone, 0, 0),
        FramePhase.ObjectKey => With(FramePhase.ObjectColon, ((ObjectRule)Rule).KeyIndex(leaf), 0),
        FramePhase.ObjectValue => With(FramePhase.ObjectNext, Index + 1, 0),
        FramePhase.ArrayStart or FramePhase.ArrayValue => With(FramePhase.ArrayNext, 0, Count + 1),
        >= FramePhase.CallOpening => ((CallRule)Rule).ChildCompleted(this, leaf),
        _ => throw new InvalidOperationException($"a frame in phase {Phase} has no value pending"),
    };

    /// <summary>Feeds <paramref name="b"/> to this frame while no child value is active.</summary>
    public bool TryStep(byte b, out JsonCursor next)
    {
        switch (Phase)
        {
            case FramePhase.RootValue:
                return Rule.TryStart(this, b, out next);
            case FramePhase.RootDone:
                next = default;
                return false;
            case < FramePhase.ArrayStart:
                return ((ObjectRule)Rule).Step(this, b, out next);
            case < FramePhase.CallOpening:
                return ((ArrayRule)Rule).Step(this, b, out next);
            default:
                return ((CallRule)Rule).Step(this, b, out next);
        }
    }

    /// <summary>The fewest bytes that close this frame once the value it is waiting for is complete.</summary>
    public int RestAfterChild() => Phase switch
    {
        FramePhase.RootValue => 0,
        FramePhase.ObjectValue => ((ObjectRule)Rule).CloseAfter(Index),
        >= FramePhase.CallOpening => ((CallRule)Rule).RestAfterChild(this),
        _ => ((ArrayRule)Rule).Remaining(Count + 1),
    };

    /// <summary>The fewest bytes that close this frame when no value is open in it.</summary>
    public int Rest() => Phase switch
    {
        FramePhase.RootValue => Rule.MinimumLength,
        FramePhase.RootDone => 0,
        < FramePhase.ArrayStart => ((ObjectRule)Rule).Rest(this),
        FramePhase.ArrayValue => ((ArrayRule)Rule).Items.MinimumLength + RestAfterChild(),
        >= FramePhase.CallOpening => ((CallRule)Rule).Rest(this),
        _ => ((ArrayRule)Rule).Remaining(Count),
    };

    /// <summary>The cursor after this container's closing byte.</summary>
    public JsonCursor Close() => new(Parent!.ChildCompleted(default), default);

    public JsonCursor Enter(FramePhase phase, int index = 0, int count = 0) => new(With(phase, index, count), default);
}
