namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// A forced tool call at the root of a document: one of the calls' openings (literal text naming the function), that
/// function's arguments, then its closing text; optionally first a reasoning block (its start marker, free text, its
/// end marker), at most once, or the document starts inside one (<see cref="StartsInReasoning"/>).
/// <see cref="Openings"/> holds the calls' openings in call order, then the reasoning start when there is one.
/// </summary>
internal sealed class CallRule : ValueRule
{
    private readonly ValueRule[] _arguments;
    private readonly LiteralRule?[] _closings;
    private readonly TextUntilRule? _reasoning;
    private readonly ulong _callMask;
    private readonly int _shortestCall;

    public CallRule(IReadOnlyList<(byte[] Opening, ValueRule Arguments, byte[] Closing)> calls, (byte[] Start, byte[] End)? reasoning, bool startsInReasoning)
    {
        if (calls.Count == 0) throw new ArgumentException("a forced call needs at least one function", nameof(calls));
        if (calls.Count + (reasoning is null ? 0 : 1) > LiteralRule.MaxLiterals)
            throw new ArgumentOutOfRangeException(nameof(calls), calls.Count, $"a forced call chooses among at most {LiteralRule.MaxLiterals - 1} functions");
        if (startsInReasoning && reasoning is null) throw new ArgumentException("a document can start inside reasoning only when it has a reasoning block", nameof(startsInReasoning));
        _arguments = [.. calls.Select(c => c.Arguments)];
        _closings = [.. calls.Select(c => c.Closing.Length == 0 ? null : new LiteralRule([c.Closing]))];
        _reasoning = reasoning is { } block ? new TextUntilRule(block.End) : null;
        Openings = new LiteralRule([.. calls.Select(c => c.Opening), .. reasoning is { } r ? new[] { r.Start } : []]);
        _callMask = calls.Count == 64 ? ulong.MaxValue : (1UL << calls.Count) - 1;
        _shortestCall = Enumerable.Range(0, calls.Count).Min(i => Openings.Literals[i].Length + AfterOpening(i));
        StartsInReasoning = startsInReasoning;
    }

    public LiteralRule Openings { get; }

    public bool StartsInReasoning { get; }

    private int ReasoningIndex => _reasoning is null ? -1 : _arguments.Length;

    public override int MinimumLength => _shortestCall;

    /// <summary>The cursor before the first byte when the document starts inside the reasoning block.</summary>
    public JsonCursor StartInReasoning(Frame root) => new(new Frame(this, FramePhase.CallReasoning, 0, 0, root), default);

    public override bool TryStart(Frame parent, byte b, out JsonCursor next) =>
        Step(new Frame(this, FramePhase.CallOpening, 0, 0, parent), b, out next);

    /// <summary>Feeds <paramref name="b"/> to <paramref name="frame"/> with no part of the call open.
    /// <see cref="FramePhase.CallOpening"/>: Count 1 once the reasoning block is behind.</summary>
    public bool Step(Frame frame, byte b, out JsonCursor next)
    {
        switch (frame.Phase)
        {
            case FramePhase.CallOpening:
                return Openings.TryStart(frame, frame.Count == 0 ? Openings.AllMask : _callMask, b, out next);
            case FramePhase.CallReasoning:
                return _reasoning!.TryStart(frame, b, out next);
            case FramePhase.CallArguments:
                return _arguments[frame.Index].TryStart(frame, b, out next);
            default:
                return _closings[frame.Index]!.TryStart(frame, b, out next);
        }
    }

    /// <summary><paramref name="frame"/> after the part it was writing (leaf: an opening's final state) is complete.</summary>
    public Frame ChildCompleted(Frame frame, in Leaf leaf)
    {
        switch (frame.Phase)
        {
            case FramePhase.CallOpening:
                var opening = Openings.Matched(leaf);
                return opening == ReasoningIndex ? frame.With(FramePhase.CallReasoning, 0, 0) : frame.With(FramePhase.CallArguments, opening, 0);
            case FramePhase.CallReasoning:
                return frame.With(FramePhase.CallOpening, 0, 1);
            case FramePhase.CallArguments when _closings[frame.Index] is not null:
                return frame.With(FramePhase.CallClosing, frame.Index, 0);
            default:
                return frame.Parent!.ChildCompleted(default);
        }
    }

    /// <summary>The fewest bytes that finish the call from <paramref name="frame"/> with no part open.</summary>
    public int Rest(Frame frame) => frame.Phase switch
    {
        FramePhase.CallOpening => Openings.Rest(Openings.Initial(frame.Count == 0 ? Openings.AllMask : _callMask), AfterOpening),
        FramePhase.CallReasoning => _reasoning!.MinimumLength + _shortestCall,
        FramePhase.CallArguments => AfterOpening(frame.Index),
        _ => ClosingLength(frame.Index),
    };

    /// <summary>The fewest bytes that finish the call once the part open in <paramref name="frame"/> is complete
    /// (an opening: see <see cref="OpeningRest"/>).</summary>
    public int RestAfterChild(Frame frame) => frame.Phase switch
    {
        FramePhase.CallReasoning => _shortestCall,
        FramePhase.CallArguments => ClosingLength(frame.Index),
        _ => 0,
    };

    /// <summary>The fewest bytes that finish the opening being written in <paramref name="leaf"/> and the call.</summary>
    public int OpeningRest(in Leaf leaf) => Openings.Rest(leaf, AfterOpening);

    private int AfterOpening(int opening) => opening == ReasoningIndex
        ? _reasoning!.MinimumLength + _shortestCall
        : _arguments[opening].MinimumLength + ClosingLength(opening);

    private int ClosingLength(int call) => _closings[call]?.Literals[0].Length ?? 0;
}
