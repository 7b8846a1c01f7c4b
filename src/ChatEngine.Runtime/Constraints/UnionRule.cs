namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// Any one of several rules whose values start with different bytes (<c>anyOf</c>, a list of types, or any JSON
/// value), so the first byte decides which alternative is being written.
/// </summary>
internal sealed class UnionRule : ValueRule
{
    private ValueRule[] _alternatives = [];
    private int _minimumLength = -1;

    public UnionRule(IReadOnlyList<ValueRule> alternatives) => SetAlternatives(alternatives);

    private UnionRule()
    {
    }

    /// <summary>Any JSON value (objects with any keys, arrays of anything, strings, numbers, true, false, null).</summary>
    public static UnionRule Any { get; } = CreateAny();

    /// <summary>An object with any keys and any values.</summary>
    public static ObjectRule AnyObject { get; } = (ObjectRule)Any._alternatives[0];

    public IReadOnlyList<ValueRule> Alternatives => _alternatives;

    public override int MinimumLength => _minimumLength >= 0 ? _minimumLength : _minimumLength = _alternatives.Min(a => a.MinimumLength);

    public override bool TryStart(Frame parent, byte b, out JsonCursor next)
    {
        foreach (var alternative in _alternatives)
        {
            if (alternative.TryStart(parent, b, out next)) return true;
        }
        next = default;
        return false;
    }

    /// <summary>The first byte both <paramref name="alternatives"/>' values could start with, or -1 when none.</summary>
    public static int FirstSharedStartByte(IReadOnlyList<ValueRule> alternatives)
    {
        for (var b = 0; b < 256; b++)
        {
            var starting = 0;
            foreach (var alternative in alternatives)
            {
                if (alternative.CanStartWith((byte)b)) starting++;
            }
            if (starting > 1) return b;
        }
        return -1;
    }

    private void SetAlternatives(IReadOnlyList<ValueRule> alternatives)
    {
        var shared = FirstSharedStartByte(alternatives);
        if (shared >= 0) throw new ArgumentException($"alternatives must start with different bytes; several start with '{(char)shared}'", nameof(alternatives));
        _alternatives = [.. alternatives];
    }

    private static UnionRule CreateAny()
    {
        var any = new UnionRule();
        any.SetAlternatives([
            new ObjectRule([], any), new ArrayRule(any, 0, int.MaxValue), StringRule.Unbounded, NumberRule.Real,
            new LiteralRule(["true"u8.ToArray(), "false"u8.ToArray(), "null"u8.ToArray()]),
        ]);
        return any;
    }
}
