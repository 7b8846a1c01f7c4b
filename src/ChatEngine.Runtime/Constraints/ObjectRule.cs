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
    private int[]? _requiredLength;

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

    public override int MinimumLength => 1 + RequiredFrom(0, leadingComma: false);

    /// <summary>The fewest bytes that close the object when the next property may be <paramref name="index"/>:
    /// every required one from there on (with a comma before each, or all but the first) and the brace.</summary>
    public int RequiredFrom(int index, bool leadingComma)
    {
        _requiredLength ??= RequiredLengths();
        // _requiredLength[i] counts a comma before every required property from i on.
        var total = 1 + _requiredLength[index];
        return leadingComma || !_requiredFrom[index] ? total : total - 1;
    }

    private int[] RequiredLengths()
    {
        var lengths = new int[Properties.Count + 1];
        for (var i = Properties.Count - 1; i >= 0; i--)
            lengths[i] = lengths[i + 1] + (Properties[i].Required ? 1 + Keys!.Literals[i].Length + 1 + Properties[i].Value.MinimumLength : 0);
        return lengths;
    }

    /// <summary>The fewest bytes that write the value of property <paramref name="index"/> (-1: a free key's) and
    /// close the object.</summary>
    public int ValueAndClose(int index) => ValueOf(index).MinimumLength + CloseAfter(index);

    /// <summary>The fewest bytes that close the object after the value of property <paramref name="index"/> (-1: a free key's).</summary>
    public int CloseAfter(int index) => index >= 0 ? RequiredFrom(index + 1, leadingComma: true) : 1;

    /// <summary>The fewest bytes that finish the key being written in <paramref name="leaf"/>, its value, and the object.</summary>
    public int KeyRest(in Leaf leaf) =>
        Keys is null ? leaf.Rule!.Rest(leaf) + 1 + ValueAndClose(-1) : Keys.Rest(leaf, i => 1 + ValueAndClose(i));

    /// <summary>The fewest bytes that finish the object from <paramref name="frame"/> with no value open.</summary>
    public int Rest(Frame frame) => frame.Phase switch
    {
        FramePhase.ObjectStart => RequiredFrom(frame.Index, leadingComma: false),
        FramePhase.ObjectNext => RequiredFrom(frame.Index, leadingComma: true),
        FramePhase.ObjectKeyStart when Keys is null => 2 + 1 + ValueAndClose(-1),
        FramePhase.ObjectKeyStart => Keys.Rest(Keys.Initial(_candidates[frame.Index]), i => 1 + ValueAndClose(i)),
        FramePhase.ObjectColon => 1 + ValueAndClose(frame.Index),
        _ => ValueAndClose(frame.Index),
    };

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
                return ValueOf(frame.Index).TryStart(frame, b, out next);
            default:
                return false;
        }
    }

    private ValueRule ValueOf(int index) => index >= 0 ? Properties[index].Value : OtherValues!;

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
