using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatEngine.Runtime.Constraints;

/// <summary>A property an <see cref="ObjectRule"/> may contain.</summary>
internal sealed record PropertyRule(string Name, ValueRule Value, bool Required);

/// <summary>
/// A JSON object. With <see cref="Properties"/>: only those keys, in their declared order (an optional one may be
/// skipped, a required one may not), each at most once. With <see cref="OtherValues"/> instead: any string keys, each
/// value matching it (<c>json_object</c> and schemas that declare no properties).
/// </summary>
internal sealed class ObjectRule : ValueRule
{
    private readonly ulong[] _candidates;
    private readonly bool[] _requiredFrom;

    public ObjectRule(IReadOnlyList<PropertyRule> properties, ValueRule? otherValues)
    {
        if (properties.Count > LiteralRule.MaxLiterals)
            throw new ArgumentOutOfRangeException(nameof(properties), properties.Count, $"an object may declare at most {LiteralRule.MaxLiterals} properties");
        if (properties.Count > 0 && otherValues is not null) throw new ArgumentException("declared properties and free keys cannot be combined", nameof(otherValues));
        Properties = [.. properties];
        OtherValues = otherValues;
        Keys = properties.Count > 0 ? new LiteralRule([.. properties.Select(p => EncodeKey(p.Name))]) : null;
        _candidates = new ulong[properties.Count + 1];
        _requiredFrom = new bool[properties.Count + 1];
        for (var i = properties.Count - 1; i >= 0; i--)
        {
            _requiredFrom[i] = properties[i].Required || _requiredFrom[i + 1];
            _candidates[i] = (1UL << i) | (properties[i].Required ? 0 : _candidates[i + 1]);
        }
    }

    public IReadOnlyList<PropertyRule> Properties { get; }
    public ValueRule? OtherValues { get; }

    /// <summary>The declared keys as JSON strings (quotes included), in property order.</summary>
    public LiteralRule? Keys { get; }

    public override bool TryStart(Frame parent, byte b, out JsonCursor next)
    {
        next = b == (byte)'{' ? new JsonCursor(new Frame(this, FramePhase.ObjectStart, 0, 0, parent), default) : default;
        return b == (byte)'{';
    }

    public bool Step(Frame frame, byte b, out JsonCursor next)
    {
        next = default;
        switch (frame.Phase)
        {
            case FramePhase.ObjectStart or FramePhase.ObjectNext when b == (byte)'}' && !_requiredFrom[frame.Index]:
                next = frame.Close();
                return true;
            case FramePhase.ObjectStart or FramePhase.ObjectKeyStart when b == (byte)'"':
                return StartKey(frame, out next);
            case FramePhase.ObjectNext when b == (byte)',' && (OtherValues is not null || frame.Index < Properties.Count):
                next = frame.Enter(FramePhase.ObjectKeyStart, frame.Index);
                return true;
            case FramePhase.ObjectColon when b == (byte)':':
                next = frame.Enter(FramePhase.ObjectValue, frame.Index);
                return true;
            case FramePhase.ObjectValue:
                return (frame.Index >= 0 ? Properties[frame.Index].Value : OtherValues!).TryStart(frame, b, out next);
            default:
                return false;
        }
    }

    /// <summary>Which declared property a finished key leaf named (-1 for a free key).</summary>
    public int KeyIndex(in Leaf leaf) => Keys is null ? -1 : Keys.Matched(leaf);

    private bool StartKey(Frame frame, out JsonCursor next)
    {
        var keyFrame = frame.With(FramePhase.ObjectKey, frame.Index, 0);
        if (Keys is null)
        {
            next = default;
            return OtherValues is not null && StringRule.Unbounded.TryStart(keyFrame, (byte)'"', out next);
        }
        var mask = _candidates[frame.Index];
        Keys.Step(Keys.Initial(mask), (byte)'"', out var leaf);
        next = new JsonCursor(keyFrame, leaf);
        return mask != 0;
    }

    private static byte[] EncodeKey(string name) =>
        Encoding.UTF8.GetBytes("\"" + JsonEncodedText.Encode(name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"");
}
