using System.Numerics;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// One of a fixed set of JSON texts (at most 64), byte for byte: <c>enum</c>/<c>const</c> values, <c>true</c>,
/// <c>false</c>, <c>null</c>, and the quoted property names an object may continue with.
/// </summary>
internal sealed class LiteralRule : ScalarRule
{
    public const int MaxLiterals = 64;

    public LiteralRule(IReadOnlyList<byte[]> literals)
    {
        if (literals.Count is 0 or > MaxLiterals) throw new ArgumentOutOfRangeException(nameof(literals), literals.Count, $"a literal set has 1 to {MaxLiterals} entries");
        Literals = [.. literals];
        AllMask = literals.Count == 64 ? ulong.MaxValue : (1UL << literals.Count) - 1;
    }

    public static LiteralRule Boolean { get; } = new(["true"u8.ToArray(), "false"u8.ToArray()]);
    public static LiteralRule Null { get; } = new(["null"u8.ToArray()]);

    public byte[][] Literals { get; }
    public ulong AllMask { get; }

    public override bool TryStart(Frame parent, byte b, out JsonCursor next) => Begin(parent, Initial(AllMask), b, out next);

    /// <summary>Starts a value that is one of the literals in <paramref name="mask"/>.</summary>
    public bool TryStart(Frame parent, ulong mask, byte b, out JsonCursor next) => Begin(parent, Initial(mask), b, out next);

    /// <summary>A leaf before the first byte, choosing among the literals in <paramref name="mask"/>.</summary>
    public Leaf Initial(ulong mask) => new(this, 0, 0, mask);

    // Leaf: Count = bytes matched, Mask = literals still consistent with them.
    public override LeafStep Step(in Leaf leaf, byte b, out Leaf next)
    {
        var position = leaf.Count;
        ulong matching = 0;
        var longer = false;
        for (var rest = leaf.Mask; rest != 0; rest &= rest - 1)
        {
            var i = BitOperations.TrailingZeroCount(rest);
            var literal = Literals[i];
            if (literal.Length <= position || literal[position] != b) continue;
            matching |= 1UL << i;
            longer |= literal.Length > position + 1;
        }
        next = new Leaf(this, 0, position + 1, matching);
        if (matching == 0) return LeafStep.Rejected;
        return longer ? LeafStep.Continued : LeafStep.Closed;
    }

    public override int MinimumLength => Literals.Min(l => l.Length);

    public override int Rest(in Leaf leaf) => Rest(leaf, _ => 0);

    /// <summary>The fewest bytes that finish one of the leaf's candidates plus what <paramref name="after"/> says
    /// that candidate then needs.</summary>
    public int Rest(in Leaf leaf, Func<int, int> after)
    {
        var best = int.MaxValue;
        for (var rest = leaf.Mask; rest != 0; rest &= rest - 1)
        {
            var i = BitOperations.TrailingZeroCount(rest);
            best = Math.Min(best, Literals[i].Length - leaf.Count + after(i));
        }
        return best;
    }

    public override bool CanEnd(in Leaf leaf) => Matched(leaf) >= 0;

    /// <summary>The literal read completely by <paramref name="leaf"/>, or -1.</summary>
    public int Matched(in Leaf leaf)
    {
        for (var rest = leaf.Mask; rest != 0; rest &= rest - 1)
        {
            var i = BitOperations.TrailingZeroCount(rest);
            if (Literals[i].Length == leaf.Count) return i;
        }
        return -1;
    }
}
