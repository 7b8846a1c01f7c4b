using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>
/// Python's <c>json.dumps(x, ensure_ascii, indent, separators, sort_keys)</c>, which transformers installs as the
/// <c>tojson</c> filter: default separators ', ' and ': ' (',' and ': ' when indenting), Python float repr,
/// NaN/Infinity, and only \", \\, \n, \r, \t, \b, \f and other controls escaped unless ensure_ascii.
/// </summary>
internal sealed class JsonDump
{
    private readonly bool _ensureAscii;
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _sortKeys;
    private readonly StringBuilder _sb = new();

    private JsonDump(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        _ensureAscii = ensureAscii;
        _indent = indent;
        _itemSeparator = itemSeparator;
        _keySeparator = keySeparator;
        _sortKeys = sortKeys;
    }

    public static string Dumps(object? value, bool ensureAscii = false, object? indent = null, object? separators = null, bool sortKeys = false)
    {
        var indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            bool b => new string(' ', b ? 1 : 0),
            string s => s,
            _ => throw TemplateRuntimeError.TypeError($"tojson: indent must be an int or a string, not {PyOps.TypeName(indent)}"),
        };
        var (itemSeparator, keySeparator) = separators switch
        {
            null => (indentText is null ? ", " : ",", ": "),
            List<object?> { Count: 2 } l when l[0] is string a && l[1] is string b => (a, b),
            PyTuple { Items.Count: 2 } t when t.Items[0] is string a && t.Items[1] is string b => (a, b),
            _ => throw TemplateRuntimeError.TypeError("tojson: separators must be a pair of strings"),
        };
        var dump = new JsonDump(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys);
        dump.Write(value, 0);
        return dump._sb.ToString();
    }

    private void Write(object? value, int level)
    {
        switch (value)
        {
            case null: _sb.Append("null"); break;
            case bool b: _sb.Append(b ? "true" : "false"); break;
            case long l: _sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _sb.Append(FloatText(d)); break;
            case string s: WriteString(s); break;
            case Markup m: WriteString(m.Text); break;
            case List<object?> list: WriteArray(list, level); break;
            case PyTuple tuple: WriteArray(tuple.Items, level); break;
            case PyDict dict: WriteObject(dict, level); break;
            default: throw TemplateRuntimeError.TypeError($"Object of type {PyOps.TypeName(value)} is not JSON serializable");
        }
    }

    private static string FloatText(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyFormat.FloatRepr(d);

    private void NewLine(int level)
    {
        if (_indent is null) return;
        _sb.Append('\n');
        for (var i = 0; i < level; i++) _sb.Append(_indent);
    }

    private void WriteArray(IReadOnlyList<object?> items, int level)
    {
        if (items.Count == 0)
        {
            _sb.Append("[]");
            return;
        }
        _sb.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) _sb.Append(_itemSeparator);
            NewLine(level + 1);
            Write(items[i], level + 1);
        }
        NewLine(level);
        _sb.Append(']');
    }

    private void WriteObject(PyDict dict, int level)
    {
        if (dict.Count == 0)
        {
            _sb.Append("{}");
            return;
        }
        IEnumerable<KeyValuePair<object, object?>> entries = dict;
        if (_sortKeys)
        {
            entries = dict.OrderBy(p => PyDict.Unkey(p.Key), Comparer<object?>.Create((a, b) => PyOps.Compare(a, b)));
        }
        _sb.Append('{');
        var first = true;
        foreach (var pair in entries)
        {
            if (!first) _sb.Append(_itemSeparator);
            first = false;
            NewLine(level + 1);
            WriteString(KeyText(PyDict.Unkey(pair.Key)));
            _sb.Append(_keySeparator);
            Write(pair.Value, level + 1);
        }
        NewLine(level);
        _sb.Append('}');
    }

    private static string KeyText(object? key) => key switch
    {
        string s => s,
        Markup m => m.Text,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatText(d),
        _ => throw TemplateRuntimeError.TypeError($"keys must be str, int, float, bool or None, not {PyOps.TypeName(key)}"),
    };

    private void WriteString(string s)
    {
        _sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': _sb.Append("\\\""); break;
                case '\\': _sb.Append("\\\\"); break;
                case '\n': _sb.Append("\\n"); break;
                case '\r': _sb.Append("\\r"); break;
                case '\t': _sb.Append("\\t"); break;
                case '\b': _sb.Append("\\b"); break;
                case '\f': _sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (_ensureAscii && c > 0x7e)) _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else _sb.Append(c);
                    break;
            }
        }
        _sb.Append('"');
    }
}
