using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Text;

namespace ChatEngine.Runtime;

/// <summary>
/// Keeps control-token text written inside chat messages from becoming control tokens. Before rendering, every
/// control-token text in the messages' strings, keys included (and every U+E000 / U+E001 already there, so that no
/// text can pose as a placeholder), is replaced by a placeholder <c>U+E000 index U+E001</c>; after rendering,
/// <see cref="Marking.Restore"/> puts the texts back and reports where they are, so the tokenizer reads them as text.
/// The template's own control tokens are untouched, and messages without such text render exactly as before.
/// </summary>
internal sealed class MessageTextMarker
{
    private const char Open = '\uE000';
    private const char Close = '\uE001';

    private readonly TrieNode _controlTexts = new();

    public MessageTextMarker(IEnumerable<string> controlTokenTexts)
    {
        foreach (var text in controlTokenTexts)
        {
            if (text.Length == 0) continue;
            var node = _controlTexts;
            foreach (var c in text) node = node.Child(c);
            node.IsText = true;
        }
    }

    /// <summary>One conversation's placeholders.</summary>
    public sealed class Marking(MessageTextMarker marker)
    {
        private readonly List<string> _originals = [];

        /// <summary>A copy of <paramref name="messages"/> with placeholders in every string, keys included.</summary>
        public JsonArray Mark(JsonArray messages) => (JsonArray)MarkNode(messages)!;

        /// <summary>
        /// <paramref name="rendered"/> with the placeholders replaced by their texts, as UTF-8, and the sorted byte
        /// ranges of those texts. A placeholder the template broke apart (by slicing a string) stays as it is.
        /// </summary>
        public (byte[] Utf8, ByteRange[] Literal) Restore(string rendered)
        {
            if (_originals.Count == 0) return (Encoding.UTF8.GetBytes(rendered), []);
            var restored = new StringBuilder(rendered.Length);
            var literal = new List<ByteRange>();
            var bytes = 0;
            var copiedTo = 0;
            for (var open = rendered.IndexOf(Open, StringComparison.Ordinal); open >= 0; open = rendered.IndexOf(Open, open + 1))
            {
                var close = rendered.IndexOf(Close, open + 1);
                if (close < 0) break;
                if (!int.TryParse(rendered.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || index >= _originals.Count)
                {
                    continue;
                }
                bytes += Append(restored, rendered.AsSpan(copiedTo, open - copiedTo));
                var original = _originals[index];
                literal.Add(new ByteRange(bytes, Encoding.UTF8.GetByteCount(original)));
                bytes += Append(restored, original);
                copiedTo = close + 1;
                open = close;
            }
            restored.Append(rendered.AsSpan(copiedTo));
            return (Encoding.UTF8.GetBytes(restored.ToString()), [.. literal]);
        }

        private static int Append(StringBuilder builder, ReadOnlySpan<char> text)
        {
            builder.Append(text);
            return Encoding.UTF8.GetByteCount(text);
        }

        private JsonNode? MarkNode(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    var markedObject = new JsonObject();
                    foreach (var (key, value) in obj) markedObject[MarkString(key)] = MarkNode(value);
                    return markedObject;
                case JsonArray array:
                    return new JsonArray(array.Select(MarkNode).ToArray());
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    return JsonValue.Create(MarkString(value.GetValue<string>()));
                default:
                    return node?.DeepClone();
            }
        }

        private string MarkString(string text)
        {
            StringBuilder? marked = null;
            var copiedTo = 0;
            for (var i = 0; i < text.Length;)
            {
                var length = text[i] is Open or Close ? 1 : marker.ControlTextLengthAt(text, i);
                if (length == 0)
                {
                    i++;
                    continue;
                }
                marked ??= new StringBuilder(text.Length + 16);
                marked.Append(text, copiedTo, i - copiedTo)
                    .Append(Open).Append(_originals.Count.ToString(CultureInfo.InvariantCulture)).Append(Close);
                _originals.Add(text.Substring(i, length));
                i += length;
                copiedTo = i;
            }
            return marked is null ? text : marked.Append(text, copiedTo, text.Length - copiedTo).ToString();
        }
    }

    /// <summary>The length of the longest control-token text starting at <paramref name="start"/>, or 0.</summary>
    private int ControlTextLengthAt(string text, int start)
    {
        var longest = 0;
        var node = _controlTexts;
        for (var i = start; i < text.Length && node.TryGetChild(text[i], out var child); i++)
        {
            node = child;
            if (node.IsText) longest = i - start + 1;
        }
        return longest;
    }

    private sealed class TrieNode
    {
        private Dictionary<char, TrieNode>? _children;

        public bool IsText { get; set; }

        public TrieNode Child(char c)
        {
            _children ??= [];
            if (!_children.TryGetValue(c, out var child)) _children[c] = child = new TrieNode();
            return child;
        }

        public bool TryGetChild(char c, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrieNode? child)
        {
            child = null;
            return _children is not null && _children.TryGetValue(c, out child);
        }
    }
}
