namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// A JSON number (<see cref="Integer"/>: no fraction or exponent). Parts are bounded so that every produced number is
/// exact in a double and a long: at most 15 integer digits, 15 fraction digits and a 2-digit exponent.
/// </summary>
internal sealed class NumberRule(bool integer) : ScalarRule
{
    private const int MaxDigits = 15, MaxExponentDigits = 2;
    private const int AfterMinus = 0, Zero = 1, IntegerDigits = 2, AfterDot = 3, FractionDigits = 4, AfterE = 5, AfterExponentSign = 6, ExponentDigits = 7;

    public static NumberRule Real { get; } = new(false);
    public static NumberRule Whole { get; } = new(true);

    public bool Integer { get; } = integer;

    public override bool TryStart(Frame parent, byte b, out JsonCursor next)
    {
        var start = new Leaf(this, -1, 0, 0);
        return Begin(parent, start, b, out next);
    }

    // Leaf: Phase = where in the number grammar (-1 before the first byte), Count = digits in the current part.
    public override LeafStep Step(in Leaf leaf, byte b, out Leaf next)
    {
        var digit = char.IsAsciiDigit((char)b);
        var phase = leaf.Phase;
        var count = leaf.Count;
        next = leaf;
        switch (phase)
        {
            case -1 when b == (byte)'-': return Go(out next, AfterMinus, 0);
            case -1 or AfterMinus when b == (byte)'0': return Go(out next, Zero, 1);
            case -1 or AfterMinus when digit: return Go(out next, IntegerDigits, 1);
            case IntegerDigits when digit && count < MaxDigits: return Go(out next, IntegerDigits, count + 1);
            case Zero or IntegerDigits when b == (byte)'.' && !Integer: return Go(out next, AfterDot, 0);
            case Zero or IntegerDigits or FractionDigits when b is (byte)'e' or (byte)'E' && !Integer: return Go(out next, AfterE, 0);
            case AfterDot when digit: return Go(out next, FractionDigits, 1);
            case FractionDigits when digit && count < MaxDigits: return Go(out next, FractionDigits, count + 1);
            case AfterE when b is (byte)'+' or (byte)'-': return Go(out next, AfterExponentSign, 0);
            case AfterE or AfterExponentSign when digit: return Go(out next, ExponentDigits, 1);
            case ExponentDigits when digit && count < MaxExponentDigits: return Go(out next, ExponentDigits, count + 1);
            default: return LeafStep.Rejected;
        }
    }

    public override int MinimumLength => 1;

    public override int Rest(in Leaf leaf) => CanEnd(leaf) ? 0 : 1;

    public override bool CanEnd(in Leaf leaf) => leaf.Phase is Zero or IntegerDigits or FractionDigits or ExponentDigits;

    private LeafStep Go(out Leaf next, int phase, int count)
    {
        next = new Leaf(this, phase, count, 0);
        return LeafStep.Continued;
    }
}
