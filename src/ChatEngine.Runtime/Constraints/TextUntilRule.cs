namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// Free text that ends with the first occurrence of <see cref="Marker"/> (a reasoning block's closing marker): any
/// bytes, closed by the marker's last byte.
/// </summary>
internal sealed class TextUntilRule : ScalarRule
{
    private readonly byte[] _marker;
    private readonly int[] _fallback;

    public TextUntilRule(byte[] marker)
    {
        if (marker.Length == 0) throw new ArgumentException("the closing marker must not be empty", nameof(marker));
        _marker = marker;
        // _fallback[i]: the longest proper prefix of marker[..(i + 1)] that is also a suffix of it.
        _fallback = new int[marker.Length];
        for (int i = 1, matched = 0; i < marker.Length; i++)
        {
            while (matched > 0 && marker[i] != marker[matched]) matched = _fallback[matched - 1];
            if (marker[i] == marker[matched]) matched++;
            _fallback[i] = matched;
        }
    }

    public ReadOnlySpan<byte> Marker => _marker;

    public override int MinimumLength => _marker.Length;

    public override bool TryStart(Frame parent, byte b, out JsonCursor next) => Begin(parent, Initial, b, out next);

    public Leaf Initial => new(this, 0, 0, 0);

    // Leaf: Count = bytes of the marker matched at the end of the text so far.
    public override LeafStep Step(in Leaf leaf, byte b, out Leaf next)
    {
        var matched = leaf.Count;
        while (matched > 0 && b != _marker[matched]) matched = _fallback[matched - 1];
        if (b == _marker[matched]) matched++;
        next = leaf with { Count = matched };
        return matched == _marker.Length ? LeafStep.Closed : LeafStep.Continued;
    }

    public override int Rest(in Leaf leaf) => _marker.Length - leaf.Count;
}
