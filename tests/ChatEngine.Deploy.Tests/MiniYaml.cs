using System.Globalization;

namespace ChatEngine.Deploy.Tests;

/// <summary>
/// The YAML subset Kubernetes manifests use, parsed into dictionaries, lists and strings: documents split by
/// <c>---</c>, block mappings and sequences by indentation, <c>#</c> comments, quoted or plain scalars and one-line
/// flow sequences (<c>["a", "b"]</c>) and <c>{}</c>. Anything else (anchors, multi-line scalars, tabs) is an error,
/// so a manifest that leaves the subset fails loudly instead of being misread.
/// </summary>
public static class MiniYaml
{
    public static IReadOnlyList<Dictionary<string, object>> ParseDocuments(string text)
    {
        var documents = new List<Dictionary<string, object>>();
        var current = new List<(int Indent, string Text, int Number)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]).TrimEnd();
            if (line.Trim() == "---")
            {
                Flush();
                continue;
            }
            if (line.Trim().Length == 0) continue;
            if (line.Contains('\t', StringComparison.Ordinal)) throw new FormatException($"line {i + 1}: tab in indentation");
            current.Add((line.Length - line.TrimStart().Length, line.Trim(), i + 1));
        }
        Flush();
        return documents;

        void Flush()
        {
            if (current.Count == 0) return;
            var position = 0;
            var node = ParseBlock(current, ref position, current[0].Indent);
            if (position != current.Count) throw new FormatException($"line {current[position].Number}: unexpected indentation");
            documents.Add(node as Dictionary<string, object> ?? throw new FormatException("a document must be a mapping"));
            current = [];
        }
    }

    private static object ParseBlock(List<(int Indent, string Text, int Number)> lines, ref int position, int indent)
    {
        return lines[position].Text.StartsWith("- ", StringComparison.Ordinal) || lines[position].Text == "-"
            ? ParseSequence(lines, ref position, indent)
            : ParseMapping(lines, ref position, indent);
    }

    private static List<object> ParseSequence(List<(int Indent, string Text, int Number)> lines, ref int position, int indent)
    {
        var items = new List<object>();
        while (position < lines.Count && lines[position].Indent == indent && lines[position].Text.StartsWith('-'))
        {
            var (_, text, number) = lines[position];
            var rest = text[1..].TrimStart();
            if (rest.Length == 0)
            {
                position++;
                items.Add(ParseBlock(lines, ref position, lines[position].Indent));
            }
            else if (IsMappingEntry(rest))
            {
                // "- key: value" starts a mapping whose further keys are indented to where "key" began
                lines[position] = (indent + text.Length - rest.Length, rest, number);
                items.Add(ParseMapping(lines, ref position, lines[position].Indent));
            }
            else
            {
                items.Add(Scalar(rest, number));
                position++;
            }
        }
        return items;
    }

    private static Dictionary<string, object> ParseMapping(List<(int Indent, string Text, int Number)> lines, ref int position, int indent)
    {
        var map = new Dictionary<string, object>(StringComparer.Ordinal);
        while (position < lines.Count && lines[position].Indent == indent)
        {
            var (_, text, number) = lines[position];
            if (!IsMappingEntry(text)) throw new FormatException($"line {number}: expected 'key: value', got '{text}'");
            var colon = KeyEnd(text);
            var key = Unquote(text[..colon].Trim());
            var value = text[(colon + 1)..].Trim();
            if (!map.TryAdd(key, null!)) throw new FormatException($"line {number}: duplicate key '{key}'");
            position++;
            if (value.Length > 0) map[key] = Scalar(value, number);
            else if (position < lines.Count && (lines[position].Indent > indent || (lines[position].Indent == indent && lines[position].Text.StartsWith('-'))))
                map[key] = ParseBlock(lines, ref position, lines[position].Indent);
            else map[key] = "";
        }
        if (position < lines.Count && lines[position].Indent > indent) throw new FormatException($"line {lines[position].Number}: unexpected indentation");
        return map;
    }

    private static object Scalar(string text, int number)
    {
        if (text is "{}") return new Dictionary<string, object>();
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            var inner = text[1..^1].Trim();
            return inner.Length == 0 ? new List<object>() : inner.Split(',').Select(part => (object)Unquote(part.Trim())).ToList();
        }
        if (text[0] is '&' or '*' or '|' or '>' or '{' or '!') throw new FormatException($"line {number}: '{text}' is outside the supported YAML subset");
        return Unquote(text);
    }

    private static bool IsMappingEntry(string text) => KeyEnd(text) > 0;

    private static int KeyEnd(string text)
    {
        if (text[0] is '"' or '\'')
        {
            var close = text.IndexOf(text[0], 1);
            return close > 0 && close + 1 < text.Length && text[close + 1] == ':' ? close + 1 : -1;
        }
        for (var i = 0; i < text.Length; i++)
            if (text[i] == ':' && (i + 1 == text.Length || text[i + 1] == ' ')) return i;
        return -1;
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\'' && text[^1] == '\'') ? text[1..^1] : text;

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
            else if (c == '#' && (i == 0 || line[i - 1] == ' ')) return line[..i];
        }
        return line;
    }

    /// <summary>Follows a dotted path (<c>spec.template.spec</c>; <c>[0]</c> indexes lists) and fails with the path when it is missing.</summary>
    public static object At(this object node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = part[..bracket];
                index = int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture);
            }
            if (name.Length > 0)
                node = node is Dictionary<string, object> map && map.TryGetValue(name, out var child) ? child : throw new KeyNotFoundException($"no '{path}' (missing '{name}')");
            if (index >= 0) node = ((List<object>)node)[index];
        }
        return node;
    }

    public static string Text(this object node, string path) => node.At(path) as string ?? throw new InvalidCastException($"'{path}' is not a scalar");

    public static Dictionary<string, object> Map(this object node, string path) => node.At(path) as Dictionary<string, object> ?? throw new InvalidCastException($"'{path}' is not a mapping");

    public static List<object> List(this object node, string path) => node.At(path) as List<object> ?? throw new InvalidCastException($"'{path}' is not a list");
}
