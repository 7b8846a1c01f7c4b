using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>The jinja2 built-in filters chat templates use, plus transformers' <c>tojson</c>.</summary>
internal static class Filters
{
    private delegate object? Filter(object? input, CallArguments args);

    private static readonly Dictionary<string, Filter> Registry = new(StringComparer.Ordinal)
    {
        ["abs"] = Abs,
        ["attr"] = (input, args) => Access.GetAttribute(input, Text(args.Require(0, "name", "attr"))),
        ["batch"] = Batch,
        ["capitalize"] = (input, _) => PyText.Capitalize(PyFormat.Str(input)),
        ["center"] = Center,
        ["count"] = (input, _) => PyOps.Length(input),
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["e"] = (input, _) => Markup.Escape(input),
        ["escape"] = (input, _) => Markup.Escape(input),
        ["first"] = First,
        ["float"] = ToFloat,
        ["format"] = Format,
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = Last,
        ["length"] = (input, _) => PyOps.Length(input),
        ["list"] = (input, _) => PyOps.ToList(input),
        ["lower"] = (input, _) => PyFormat.Str(input).ToLowerInvariant(),
        ["map"] = Map,
        ["max"] = (input, args) => MinMax(input, args, "max"),
        ["min"] = (input, args) => MinMax(input, args, "min"),
        ["reject"] = (input, args) => Select(input, args, expected: false, byAttribute: false),
        ["rejectattr"] = (input, args) => Select(input, args, expected: false, byAttribute: true),
        ["replace"] = Replace,
        ["reverse"] = Reverse,
        ["round"] = Round,
        ["safe"] = (input, _) => input is Markup ? input : new Markup(PyFormat.Str(input)),
        ["select"] = (input, args) => Select(input, args, expected: true, byAttribute: false),
        ["selectattr"] = (input, args) => Select(input, args, expected: true, byAttribute: true),
        ["sort"] = Sort,
        ["string"] = (input, _) => input is Markup ? input : PyFormat.Str(input),
        ["sum"] = Sum,
        ["title"] = (input, _) => JinjaTitle(PyFormat.Str(input)),
        ["tojson"] = ToJson,
        ["trim"] = (input, args) => PyText.Strip(PyFormat.Str(input), args.Get(0, "chars", null) is { } chars ? Text(chars) : null),
        ["unique"] = Unique,
        ["upper"] = (input, _) => PyFormat.Str(input).ToUpperInvariant(),
        ["wordcount"] = WordCount,
    };

    public static bool IsKnown(string name) => Registry.ContainsKey(name);

    public static object? Apply(string name, object? input, CallArguments args) =>
        Registry.TryGetValue(name, out var filter)
            ? filter(input, args)
            : throw new TemplateRuntimeError($"no filter named '{name}'");

    private static string Text(object? value) =>
        PyOps.TryGetText(value, out var text) ? text : throw TemplateRuntimeError.TypeError($"expected a string, got {PyOps.TypeName(value)}");

    private static long Integer(object? value, string what) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw TemplateRuntimeError.TypeError($"{what} must be an integer, not {PyOps.TypeName(value)}"),
    };

    private static object? Abs(object? input, CallArguments args) => input switch
    {
        long l => (object)checked(Math.Abs(l)),
        bool b => b ? 1L : 0L,
        double d => Math.Abs(d),
        Undefined u => throw u.Fail(),
        _ => throw TemplateRuntimeError.TypeError($"bad operand type for abs(): '{PyOps.TypeName(input)}'"),
    };

    private static object? Batch(object? input, CallArguments args)
    {
        args.Check("batch", "linecount", "fill_with");
        var size = Integer(args.Require(0, "linecount", "batch"), "batch size");
        if (size <= 0) throw new TemplateRuntimeError("batch size must be positive");
        var hasFill = args.TryGet(1, "fill_with", out var fill) && fill is not null;
        var result = new List<object?>();
        List<object?>? current = null;
        foreach (var item in PyOps.Iterate(input))
        {
            current ??= [];
            current.Add(item);
            if (current.Count == size)
            {
                result.Add(current);
                current = null;
            }
        }
        if (current is not null)
        {
            while (hasFill && current.Count < size) current.Add(fill);
            result.Add(current);
        }
        return new PyIterator("generator", result);
    }

    private static object? Center(object? input, CallArguments args)
    {
        var text = PyFormat.Str(input);
        var width = (int)Integer(args.Get(0, "width", 80L), "width");
        if (text.Length >= width) return text;
        var total = width - text.Length;
        var left = total / 2 + (total & width & 1);
        return new string(' ', left) + text + new string(' ', total - left);
    }

    private static object? Default(object? input, CallArguments args)
    {
        args.Check("default", "default_value", "boolean");
        var fallback = args.Get(0, "default_value", "");
        var boolean = PyOps.IsTruthy(args.Get(1, "boolean", false));
        return input is Undefined || (boolean && !PyOps.IsTruthy(input)) ? fallback : input;
    }

    private static object? DictSort(object? input, CallArguments args)
    {
        args.Check("dictsort", "case_sensitive", "by", "reverse");
        if (input is not PyDict dict) throw TemplateRuntimeError.TypeError("dictsort: can only sort a mapping");
        var caseSensitive = PyOps.IsTruthy(args.Get(0, "case_sensitive", false));
        var by = args.Get(1, "by", "key");
        var position = by switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateRuntimeError("dictsort: you can only sort by either 'key' or 'value'"),
        };
        var pairs = dict.Select(p => new PyTuple([PyDict.Unkey(p.Key), p.Value])).ToList();
        var sorted = SortBy(pairs, p => SortKey(p.Items[position], caseSensitive), PyOps.IsTruthy(args.Get(2, "reverse", false)));
        return sorted.Cast<object?>().ToList();
    }

    private static object? SortKey(object? value, bool caseSensitive) =>
        !caseSensitive && PyOps.TryGetText(value, out var text) ? text.ToLowerInvariant() : value;

    private static List<T> SortBy<T>(List<T> items, Func<T, object?> key, bool reverse)
    {
        var keyed = items.Select((item, index) => (item, key: key(item), index)).ToList();
        keyed.Sort((a, b) =>
        {
            var c = PyOps.Compare(a.key, b.key);
            if (reverse) c = -c;
            return c != 0 ? c : a.index.CompareTo(b.index);
        });
        return keyed.Select(k => k.item).ToList();
    }

    private static object? First(object? input, CallArguments args)
    {
        foreach (var item in PyOps.Iterate(input)) return item;
        return Undefined.Custom("No first item, sequence was empty.");
    }

    private static object? Last(object? input, CallArguments args)
    {
        if (input is PyIterator iterator) throw TemplateRuntimeError.TypeError($"'{iterator.TypeName}' object is not reversible");
        var items = PyOps.ToList(input);
        return items.Count > 0 ? items[^1] : Undefined.Custom("No last item, sequence was empty.");
    }

    private static object? ToFloat(object? input, CallArguments args)
    {
        args.Check("float", "default");
        var fallback = args.Get(0, "default", 0.0);
        return input switch
        {
            double d => d,
            long l => (double)l,
            bool b => b ? 1.0 : 0.0,
            _ when PyOps.TryGetText(input, out var text) => ParsePythonFloat(text) ?? fallback,
            _ => fallback,
        };
    }

    private static double? ParsePythonFloat(string text)
    {
        var t = PyText.Strip(text, null).Replace("_", "", StringComparison.Ordinal);
        switch (t.ToLowerInvariant())
        {
            case "nan" or "+nan" or "-nan": return double.NaN;
            case "inf" or "+inf" or "infinity" or "+infinity": return double.PositiveInfinity;
            case "-inf" or "-infinity": return double.NegativeInfinity;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static object? ToInt(object? input, CallArguments args)
    {
        args.Check("int", "default", "base");
        var fallback = args.Get(0, "default", 0L);
        var numberBase = Integer(args.Get(1, "base", 10L), "base");
        switch (input)
        {
            case long l: return l;
            case bool b: return b ? 1L : 0L;
            case double d: return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
        }
        if (!PyOps.TryGetText(input, out var text)) return fallback;
        var t = PyText.Strip(text, null).Replace("_", "", StringComparison.Ordinal);
        try
        {
            var negative = t.StartsWith('-');
            var digits = t.TrimStart('+', '-');
            if (numberBase == 16 && digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) digits = digits[2..];
            else if (numberBase == 8 && digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) digits = digits[2..];
            else if (numberBase == 2 && digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) digits = digits[2..];
            if (digits.Length > 0 && digits.All(char.IsAsciiLetterOrDigit))
            {
                var value = Convert.ToInt64(digits, (int)numberBase);
                return negative ? -value : value;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            // not an integer literal in that base: fall through to the float attempt
        }
        return ParsePythonFloat(t) is { } f && double.IsFinite(f) ? (long)Math.Truncate(f) : fallback;
    }

    private static object? Format(object? input, CallArguments args)
    {
        if (args.Keyword.Count > 0 && args.Positional.Count > 0)
        {
            throw new TemplateRuntimeError("can't handle positional and keyword arguments at the same time");
        }
        if (args.Keyword.Count > 0) throw new TemplateRuntimeError("format filter with keyword arguments is not supported");
        return PrintfFormat.Format(PyFormat.Str(input), args.Positional.Count == 1 ? args.Positional[0] : new PyTuple(args.Positional));
    }

    private static object? Indent(object? input, CallArguments args)
    {
        args.Check("indent", "width", "first", "blank");
        var width = args.Get(0, "width", 4L);
        var indentation = PyOps.TryGetText(width, out var text) ? text : new string(' ', (int)Integer(width, "width"));
        var first = PyOps.IsTruthy(args.Get(1, "first", false));
        var blank = PyOps.IsTruthy(args.Get(2, "blank", false));
        var lines = PyText.SplitLines(PyFormat.Str(input) + "\n");
        var sb = new StringBuilder();
        if (blank)
        {
            sb.AppendJoin("\n" + indentation, lines);
        }
        else
        {
            sb.Append(lines[0]);
            for (var i = 1; i < lines.Count; i++)
            {
                sb.Append('\n');
                if (lines[i].Length > 0) sb.Append(indentation);
                sb.Append(lines[i]);
            }
        }
        return first ? indentation + sb : sb.ToString();
    }

    private static object? Items(object? input, CallArguments args) => input switch
    {
        Undefined => new PyIterator("generator", []),
        PyDict dict => new PyIterator("generator", dict.Select(p => (object?)new PyTuple([PyDict.Unkey(p.Key), p.Value])).ToList()),
        _ => throw TemplateRuntimeError.TypeError("can only get item pairs from a mapping"),
    };

    private static object? Join(object? input, CallArguments args)
    {
        args.Check("join", "d", "attribute");
        var separator = PyFormat.Str(args.Get(0, "d", ""));
        var items = PyOps.Iterate(input);
        if (args.TryGet(1, "attribute", out var attribute) && attribute is not null)
        {
            items = items.Select(item => AttributePath(item, attribute));
        }
        return string.Join(separator, items.Select(PyFormat.Str));
    }

    /// <summary>jinja2's make_attrgetter: a dotted path whose integer parts index, looked up item-first.</summary>
    private static object? AttributePath(object? item, object? attribute)
    {
        if (attribute is long index) return Access.GetItem(item, index);
        foreach (var part in Text(attribute).Split('.'))
        {
            item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? Access.GetItem(item, n)
                : Access.GetItem(item, part);
        }
        return item;
    }

    /// <summary>map/select/reject/selectattr/rejectattr guard with <c>if value:</c> in jinja2, so None maps to nothing.</summary>
    private static IEnumerable<object?> IterateIfTruthy(object? input) => PyOps.IsTruthy(input) ? PyOps.Iterate(input) : [];

    private static object? Map(object? input, CallArguments args)
    {
        var items = IterateIfTruthy(input);
        if (args.Positional.Count == 0 && args.TryGet(-1, "attribute", out var attribute))
        {
            var hasDefault = args.TryGet(-1, "default", out var fallback);
            return new PyIterator("generator", items.Select(item =>
            {
                var value = AttributePath(item, attribute);
                return hasDefault && value is Undefined ? fallback : value;
            }));
        }
        var filterName = Text(args.Require(0, "filter", "map"));
        var rest = args.Skip(1);
        return new PyIterator("generator", items.Select(item => Apply(filterName, item, rest)));
    }

    private static object? MinMax(object? input, CallArguments args, string which)
    {
        args.Check(which, "case_sensitive", "attribute");
        var caseSensitive = PyOps.IsTruthy(args.Get(0, "case_sensitive", false));
        var attribute = args.Get(1, "attribute", null);
        var items = PyOps.ToList(input);
        if (items.Count == 0) return Undefined.Custom($"No aggregated item, sequence was empty.");
        var best = items[0];
        object? Key(object? item) => SortKey(attribute is null ? item : AttributePath(item, attribute), caseSensitive);
        foreach (var item in items.Skip(1))
        {
            var c = PyOps.Compare(Key(item), Key(best));
            if (which == "max" ? c > 0 : c < 0) best = item;
        }
        return best;
    }

    private static object? Select(object? input, CallArguments args, bool expected, bool byAttribute)
    {
        var items = IterateIfTruthy(input);
        var offset = 0;
        object? attribute = null;
        if (byAttribute)
        {
            attribute = args.Require(0, "attribute", "selectattr");
            offset = 1;
        }
        Func<object?, bool> predicate;
        if (args.Positional.Count <= offset)
        {
            predicate = PyOps.IsTruthy;
        }
        else
        {
            var testName = Text(args.Positional[offset]);
            var testArgs = args.Skip(offset + 1);
            predicate = value => Tests.Apply(testName, value, testArgs);
        }
        return new PyIterator("generator", items.Where(item => predicate(byAttribute ? AttributePath(item, attribute) : item) == expected));
    }

    private static object? Replace(object? input, CallArguments args)
    {
        args.Check("replace", "old", "new", "count");
        var text = PyFormat.Str(input);
        var old = PyFormat.Str(args.Require(0, "old", "replace"));
        var replacement = PyFormat.Str(args.Require(1, "new", "replace"));
        var count = args.Get(2, "count", null) is { } c ? Integer(c, "count") : -1;
        return Methods.Replace(text, old, replacement, count);
    }

    private static object? Reverse(object? input, CallArguments args)
    {
        if (PyOps.TryGetText(input, out var text))
        {
            var codePoints = PyText.CodePoints(text);
            codePoints.Reverse();
            return string.Concat(codePoints);
        }
        var items = PyOps.ToList(input);
        items.Reverse();
        return input switch
        {
            List<object?> => new PyIterator("list_reverseiterator", items),
            PyDict => new PyIterator("dict_reversekeyiterator", items),
            _ => items,
        };
    }

    private static object? Round(object? input, CallArguments args)
    {
        args.Check("round", "precision", "method");
        var precision = (int)Integer(args.Get(0, "precision", 0L), "precision");
        var method = args.Get(1, "method", "common");
        if (input is long or bool && method is "common") return input is bool b ? (b ? 1L : 0L) : input;
        var value = input switch
        {
            long l => l,
            bool b => b ? 1.0 : 0.0,
            double d => d,
            _ => throw TemplateRuntimeError.TypeError($"round: a number is required, not {PyOps.TypeName(input)}"),
        };
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => Math.Round(value, Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(value * scale) / scale,
            "floor" => Math.Floor(value * scale) / scale,
            _ => throw new TemplateRuntimeError("method must be common, ceil or floor"),
        };
    }

    private static object? Sort(object? input, CallArguments args)
    {
        args.Check("sort", "reverse", "case_sensitive", "attribute");
        var reverse = PyOps.IsTruthy(args.Get(0, "reverse", false));
        var caseSensitive = PyOps.IsTruthy(args.Get(1, "case_sensitive", false));
        var attribute = args.Get(2, "attribute", null);
        return SortBy(PyOps.ToList(input), item => SortKey(attribute is null ? item : AttributePath(item, attribute), caseSensitive), reverse);
    }

    private static object? Sum(object? input, CallArguments args)
    {
        args.Check("sum", "attribute", "start");
        var attribute = args.Get(0, "attribute", null);
        var total = args.Get(1, "start", 0L);
        foreach (var item in PyOps.Iterate(input))
        {
            total = PyOps.Binary("+", total, attribute is null ? item : AttributePath(item, attribute));
        }
        return total;
    }

    /// <summary>jinja2's title filter: words start after '-', whitespace, '(', '{', '[' or '&lt;'.</summary>
    private static string JinjaTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        var atWordStart = true;
        foreach (var c in s)
        {
            var isBoundary = c is '-' or '(' or '{' or '[' or '<' || PyText.IsWhitespace(c);
            if (isBoundary) sb.Append(c);
            else sb.Append(atWordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            atWordStart = isBoundary;
        }
        return sb.ToString();
    }

    private static object? ToJson(object? input, CallArguments args)
    {
        args.Check("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
        return JsonDump.Dumps(
            input,
            PyOps.IsTruthy(args.Get(0, "ensure_ascii", false)),
            args.Get(1, "indent", null),
            args.Get(2, "separators", null),
            PyOps.IsTruthy(args.Get(3, "sort_keys", false)));
    }

    private static object? Unique(object? input, CallArguments args)
    {
        args.Check("unique", "case_sensitive", "attribute");
        var caseSensitive = PyOps.IsTruthy(args.Get(0, "case_sensitive", false));
        var attribute = args.Get(1, "attribute", null);
        var seen = new PyDict();
        var result = new List<object?>();
        foreach (var item in PyOps.Iterate(input))
        {
            var key = PyDict.Key(SortKey(attribute is null ? item : AttributePath(item, attribute), caseSensitive), "unique");
            if (seen.TryAdd(key, null)) result.Add(item);
        }
        return result;
    }

    private static object? WordCount(object? input, CallArguments args)
    {
        long count = 0;
        var inWord = false;
        foreach (var c in PyFormat.Str(input))
        {
            var isWordChar = char.IsLetterOrDigit(c) || c == '_';
            if (isWordChar && !inWord) count++;
            inWord = isWordChar;
        }
        return count;
    }
}
