using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>
/// The Python methods templates call on str, dict and list values. Mutating list/dict methods (append, pop,
/// update ...) are "unsafe" in jinja2's ImmutableSandboxedEnvironment, which transformers uses, and fail the same way here.
/// </summary>
internal static class Methods
{
    private static readonly HashSet<string> UnsafeListMethods = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];
    private static readonly HashSet<string> UnsafeDictMethods = ["pop", "popitem", "update", "setdefault", "clear"];

    /// <summary>The bound method <paramref name="name"/> of <paramref name="target"/>, or null when it has none.</summary>
    public static object? Bind(object? target, string name)
    {
        switch (target)
        {
            case string or Markup:
                PyOps.TryGetText(target, out var text);
                var stringMethod = StringMethod(text, name);
                return stringMethod is null ? null : new NativeFunction($"str.{name}", (_, args) => stringMethod(args));
            case PyDict dict:
                if (UnsafeDictMethods.Contains(name)) return Undefined.Unsafe(target, name);
                var dictMethod = DictMethod(dict, name);
                return dictMethod is null ? null : new NativeFunction($"dict.{name}", (_, args) => dictMethod(args));
            case List<object?> list:
                if (UnsafeListMethods.Contains(name)) return Undefined.Unsafe(target, name);
                var listMethod = SequenceMethod(list, name);
                return listMethod is null ? null : new NativeFunction($"list.{name}", (_, args) => listMethod(args));
            case PyTuple tuple:
                var tupleMethod = SequenceMethod(tuple.Items, name);
                return tupleMethod is null ? null : new NativeFunction($"tuple.{name}", (_, args) => tupleMethod(args));
            default:
                return null;
        }
    }

    private static string Text(object? value, string function) =>
        PyOps.TryGetText(value, out var text)
            ? text
            : throw TemplateRuntimeError.TypeError($"{function}() argument must be str, not {PyOps.TypeName(value)}");

    private static string? OptionalText(object? value, string function) => value is null ? null : Text(value, function);

    private static long Integer(object? value, string function) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw TemplateRuntimeError.TypeError($"{function}(): an integer is required, not {PyOps.TypeName(value)}"),
    };

    private static Func<CallArguments, object?>? StringMethod(string s, string name) => name switch
    {
        "strip" or "lstrip" or "rstrip" => args =>
        {
            args.Check(name, "chars");
            return PyText.Strip(s, OptionalText(args.Get(0, "chars", null), name), left: name != "rstrip", right: name != "lstrip");
        },
        "startswith" or "endswith" => args =>
        {
            args.Check(name, "prefix");
            var candidates = args.Require(0, "prefix", name) is PyTuple tuple ? tuple.Items : [args.Positional[0]];
            return candidates.Any(c => name == "startswith"
                ? s.StartsWith(Text(c, name), StringComparison.Ordinal)
                : s.EndsWith(Text(c, name), StringComparison.Ordinal));
        },
        "split" or "rsplit" => args =>
        {
            args.Check(name, "sep", "maxsplit");
            var separator = OptionalText(args.Get(0, "sep", null), name);
            var maxSplit = Integer(args.Get(1, "maxsplit", -1L), name);
            return name == "split" ? PyText.Split(s, separator, maxSplit) : PyText.RSplit(s, separator, maxSplit);
        },
        "splitlines" => args =>
        {
            args.Check(name, "keepends");
            return PyText.SplitLines(s, PyOps.IsTruthy(args.Get(0, "keepends", false))).Cast<object?>().ToList();
        },
        "upper" => NoArguments(name, () => s.ToUpperInvariant()),
        "lower" => NoArguments(name, () => s.ToLowerInvariant()),
        "title" => NoArguments(name, () => PyText.Title(s)),
        "capitalize" => NoArguments(name, () => PyText.Capitalize(s)),
        "isdigit" => NoArguments(name, () => s.Length > 0 && s.All(char.IsDigit)),
        "isalpha" => NoArguments(name, () => s.Length > 0 && s.All(char.IsLetter)),
        "isalnum" => NoArguments(name, () => s.Length > 0 && s.All(char.IsLetterOrDigit)),
        "isspace" => NoArguments(name, () => s.Length > 0 && s.All(PyText.IsWhitespace)),
        "isupper" => NoArguments(name, () => s.Any(char.IsUpper) && !s.Any(char.IsLower)),
        "islower" => NoArguments(name, () => s.Any(char.IsLower) && !s.Any(char.IsUpper)),
        "replace" => args =>
        {
            args.Check(name, "old", "new", "count");
            var old = Text(args.Require(0, "old", name), name);
            var replacement = Text(args.Require(1, "new", name), name);
            return Replace(s, old, replacement, Integer(args.Get(2, "count", -1L), name));
        },
        "find" or "rfind" or "index" or "rindex" => args =>
        {
            args.Check(name, "sub");
            var sub = Text(args.Require(0, "sub", name), name);
            var at = name is "find" or "index" ? s.IndexOf(sub, StringComparison.Ordinal) : s.LastIndexOf(sub, StringComparison.Ordinal);
            if (at < 0 && name is "index" or "rindex") throw new TemplateRuntimeError("ValueError: substring not found");
            return (long)at;
        },
        "count" => args =>
        {
            args.Check(name, "sub");
            var sub = Text(args.Require(0, "sub", name), name);
            if (sub.Length == 0) return (long)PyText.Length(s) + 1;
            long count = 0;
            for (var at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) count++;
            return count;
        },
        "removeprefix" => args => s.StartsWith(Text(args.Require(0, "prefix", name), name), StringComparison.Ordinal)
            ? s[Text(args.Positional[0], name).Length..]
            : s,
        "removesuffix" => args => Text(args.Require(0, "suffix", name), name) is { Length: > 0 } suffix && s.EndsWith(suffix, StringComparison.Ordinal)
            ? s[..^suffix.Length]
            : s,
        "join" => args =>
        {
            args.Check(name, "iterable");
            return string.Join(s, PyOps.Iterate(args.Require(0, "iterable", name)).Select(item => Text(item, "str.join")));
        },
        "format" => args => StrFormat(s, args),
        _ => null,
    };

    private static Func<CallArguments, object?> NoArguments(string name, Func<object?> body) => args =>
    {
        args.Check(name);
        return body();
    };

    /// <summary>str.replace(old, new, count); an empty <paramref name="old"/> inserts around every character, as in Python.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        var sb = new StringBuilder();
        var done = 0L;
        if (old.Length == 0)
        {
            for (var i = 0; i <= s.Length; i++)
            {
                if (count < 0 || done < count)
                {
                    sb.Append(replacement);
                    done++;
                }
                if (i < s.Length) sb.Append(s[i]);
            }
            return sb.ToString();
        }
        if (count < 0) return s.Replace(old, replacement, StringComparison.Ordinal);
        var from = 0;
        for (; done < count; done++)
        {
            var at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0) break;
            sb.Append(s, from, at - from).Append(replacement);
            from = at + old.Length;
        }
        return sb.Append(s, from, s.Length - from).ToString();
    }

    /// <summary>str.format with auto-numbered, numbered and named fields and !r/!s conversions (no format specs).</summary>
    private static string StrFormat(string format, CallArguments args)
    {
        var sb = new StringBuilder();
        var autoIndex = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{') { sb.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}') { sb.Append('}'); i++; continue; }
            if (c == '}') throw new TemplateRuntimeError("ValueError: Single '}' encountered in format string");
            if (c != '{') { sb.Append(c); continue; }
            var close = format.IndexOf('}', i + 1);
            if (close < 0) throw new TemplateRuntimeError("ValueError: Single '{' encountered in format string");
            var field = format[(i + 1)..close];
            i = close;
            var conversion = 's';
            var bang = field.IndexOf('!', StringComparison.Ordinal);
            if (field.Contains(':', StringComparison.Ordinal)) throw new TemplateRuntimeError("str.format: format specs (':...') are not supported");
            if (bang >= 0)
            {
                conversion = field.Length > bang + 1 ? field[bang + 1] : 's';
                field = field[..bang];
            }
            object? value;
            if (field.Length == 0) value = args.Positional.Count > autoIndex ? args.Positional[autoIndex++] : throw new TemplateRuntimeError("IndexError: Replacement index out of range");
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                value = n < args.Positional.Count ? args.Positional[n] : throw new TemplateRuntimeError($"IndexError: Replacement index {n} out of range");
            else if (!args.TryGet(-1, field, out value)) throw new TemplateRuntimeError($"KeyError: '{field}'");
            sb.Append(conversion == 'r' ? PyFormat.Repr(value) : PyFormat.Str(value));
        }
        return sb.ToString();
    }

    private static Func<CallArguments, object?>? DictMethod(PyDict dict, string name) => name switch
    {
        "items" => NoArguments(name, () => dict.Select(p => (object?)new PyTuple([PyDict.Unkey(p.Key), p.Value])).ToList()),
        "keys" => NoArguments(name, () => dict.Keys.Select(PyDict.Unkey).ToList()),
        "values" => NoArguments(name, () => dict.Values.ToList()),
        "copy" => NoArguments(name, () =>
        {
            var copy = new PyDict();
            foreach (var pair in dict) copy[pair.Key] = pair.Value;
            return copy;
        }),
        "get" => args =>
        {
            args.Check(name, "key", "default");
            return dict.TryGetPyValue(args.Require(0, "key", name), out var value) ? value : args.Get(1, "default", null);
        },
        _ => null,
    };

    private static Func<CallArguments, object?>? SequenceMethod(IReadOnlyList<object?> items, string name) => name switch
    {
        "count" => args =>
        {
            args.Check(name, "value");
            var needle = args.Require(0, "value", name);
            return (long)items.Count(item => PyOps.PyEquals(item, needle));
        },
        "index" => args =>
        {
            args.Check(name, "value");
            var needle = args.Require(0, "value", name);
            for (var i = 0; i < items.Count; i++)
            {
                if (PyOps.PyEquals(items[i], needle)) return (long)i;
            }
            throw new TemplateRuntimeError($"ValueError: {PyFormat.Repr(needle)} is not in list");
        },
        "copy" when items is List<object?> list => NoArguments(name, () => new List<object?>(list)),
        _ => null,
    };
}
