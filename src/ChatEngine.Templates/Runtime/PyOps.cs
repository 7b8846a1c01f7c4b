using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>Python semantics of the operators on template values: truthiness, equality, ordering, arithmetic, iteration.</summary>
internal static class PyOps
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        Markup => "Markup",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        Namespace => "Namespace",
        Undefined => "Undefined",
        LoopContext => "LoopContext",
        ICallable => "function",
        PyIterator iterator => iterator.TypeName,
        _ => value.GetType().Name,
    };

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        Markup m => m.Text.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple tuple => tuple.Items.Count > 0,
        PyDict dict => dict.Count > 0,
        Undefined => false,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is bool or long or double;

    public static bool TryGetText(object? value, out string text)
    {
        switch (value)
        {
            case string s: text = s; return true;
            case Markup m: text = m.Text; return true;
            default: text = ""; return false;
        }
    }

    private static double ToDouble(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new InvalidOperationException("not a number"),
    };

    private static long ToLong(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw new InvalidOperationException("not an integer"),
    };

    public static bool PyEquals(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
        }
        if (TryGetText(a, out var sa) && TryGetText(b, out var sb)) return sa == sb;
        switch (a)
        {
            case null: return b is null;
            case Undefined: return b is Undefined;
            case List<object?> la when b is List<object?> lb: return SequenceEquals(la, lb);
            case PyTuple ta when b is PyTuple tb: return SequenceEquals(ta.Items, tb.Items);
            case PyDict da when b is PyDict db:
                if (da.Count != db.Count) return false;
                foreach (var pair in da)
                {
                    if (!db.TryGetValue(pair.Key, out var other) || !PyEquals(pair.Value, other)) return false;
                }
                return true;
            default: return ReferenceEquals(a, b);
        }
    }

    private static bool SequenceEquals(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!PyEquals(a[i], b[i])) return false;
        }
        return true;
    }

    public static int PyHash(object? value)
    {
        switch (value)
        {
            case bool or long: return ToLong(value).GetHashCode();
            case double d: return d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode();
            case string s: return StringComparer.Ordinal.GetHashCode(s);
            case Markup m: return StringComparer.Ordinal.GetHashCode(m.Text);
            case PyTuple t:
                var hash = new HashCode();
                foreach (var item in t.Items) hash.Add(PyHash(item));
                return hash.ToHashCode();
            case null: return 0;
            default: return System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value);
        }
    }

    /// <summary>Python ordering (&lt;, &gt; ...): numbers, strings and sequences; anything else is a TypeError.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        }
        if (TryGetText(a, out var sa) && TryGetText(b, out var sb)) return PyText.CompareCodePoints(sa, sb);
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        IReadOnlyList<object?>? xa = a switch { List<object?> l => l, PyTuple t => t.Items, _ => null };
        IReadOnlyList<object?>? xb = b switch { List<object?> l => l, PyTuple t => t.Items, _ => null };
        if (xa is not null && xb is not null && a!.GetType() == b!.GetType())
        {
            for (var i = 0; i < Math.Min(xa.Count, xb.Count); i++)
            {
                if (!PyEquals(xa[i], xb[i])) return Compare(xa[i], xb[i], op);
            }
            return xa.Count.CompareTo(xb.Count);
        }
        throw TemplateRuntimeError.TypeError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static object? Negate(object? value) => value switch
    {
        bool or long => (object)checked(-ToLong(value)),
        double d => -d,
        Undefined u => throw u.Fail(),
        _ => throw TemplateRuntimeError.TypeError($"bad operand type for unary -: '{TypeName(value)}'"),
    };

    public static object? Plus(object? value) => value switch
    {
        bool or long => (object)ToLong(value),
        double d => d,
        Undefined u => throw u.Fail(),
        _ => throw TemplateRuntimeError.TypeError($"bad operand type for unary +: '{TypeName(value)}'"),
    };

    public static object? Binary(string op, object? a, object? b)
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (IsNumber(a) && IsNumber(b)) return Arithmetic(op, a, b);
        switch (op)
        {
            case "+":
                if (a is Markup || b is Markup)
                {
                    if (TryGetText(a, out _) && TryGetText(b, out _)) return new Markup(Markup.Escape(a).Text + Markup.Escape(b).Text);
                }
                else if (a is string s1 && b is string s2) return s1 + s2;
                else if (a is List<object?> l1 && b is List<object?> l2) return new List<object?>(l1.Concat(l2));
                else if (a is PyTuple t1 && b is PyTuple t2) return new PyTuple([.. t1.Items, .. t2.Items]);
                break;
            case "*":
                if (TryGetText(a, out var text) && b is long or bool) return Repeat(text, ToLong(b));
                if (TryGetText(b, out text) && a is long or bool) return Repeat(text, ToLong(a));
                if (a is List<object?> list && b is long or bool) return RepeatList(list, ToLong(b));
                if (b is List<object?> list2 && a is long or bool) return RepeatList(list2, ToLong(a));
                break;
            case "%":
                if (TryGetText(a, out var format)) return PrintfFormat.Format(format, b);
                break;
        }
        throw TemplateRuntimeError.TypeError($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static string Repeat(string text, long count)
    {
        if (count <= 0) return "";
        var sb = new StringBuilder(checked((int)(text.Length * count)));
        for (var i = 0; i < count; i++) sb.Append(text);
        return sb.ToString();
    }

    private static List<object?> RepeatList(List<object?> list, long count)
    {
        var result = new List<object?>();
        for (var i = 0; i < count; i++) result.AddRange(list);
        return result;
    }

    private static object Arithmetic(string op, object? a, object? b)
    {
        var useFloat = a is double || b is double;
        if (useFloat || op == "/")
        {
            var x = ToDouble(a);
            var y = ToDouble(b);
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => y == 0 ? throw DivisionByZero("division") : x / y,
                "//" => y == 0 ? throw DivisionByZero("float floor division") : Math.Floor(x / y),
                "%" => y == 0 ? throw DivisionByZero("float modulo") : FloatModulo(x, y),
                "**" => Math.Pow(x, y),
                _ => throw new InvalidOperationException(op),
            };
        }
        var i = ToLong(a);
        var j = ToLong(b);
        if (op == "**" && j < 0) return Math.Pow(i, j);
        checked
        {
            return op switch
            {
                "+" => i + j,
                "-" => i - j,
                "*" => i * j,
                "//" => j == 0 ? throw DivisionByZero("integer division") : FloorDiv(i, j),
                "%" => j == 0 ? throw DivisionByZero("integer modulo") : i - FloorDiv(i, j) * j,
                "**" => IntPow(i, j),
                _ => throw new InvalidOperationException(op),
            };
        }
    }

    private static TemplateRuntimeError DivisionByZero(string what) => new($"ZeroDivisionError: {what} by zero");

    private static long FloorDiv(long i, long j)
    {
        var q = i / j;
        return (i % j != 0) && ((i < 0) != (j < 0)) ? q - 1 : q;
    }

    private static double FloatModulo(double x, double y)
    {
        var r = x % y;
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    }

    private static long IntPow(long value, long exponent)
    {
        long result = 1;
        checked
        {
            for (var e = exponent; e > 0; e--) result *= value;
        }
        return result;
    }

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string or Markup:
                TryGetText(container, out var text);
                return TryGetText(item, out var needle)
                    ? text.Contains(needle, StringComparison.Ordinal)
                    : throw TemplateRuntimeError.TypeError($"'in <string>' requires string as left operand, not {TypeName(item)}");
            case PyDict dict: return dict.TryGetPyValue(item, out _);
            case Undefined: return false;
            case null or bool or long or double or Namespace or LoopContext or ICallable:
                throw TemplateRuntimeError.TypeError($"argument of type '{TypeName(container)}' is not iterable");
        }
        foreach (var element in Iterate(container))
        {
            if (PyEquals(element, item)) return true;
        }
        return false;
    }

    /// <summary>Python iteration: lists and tuples by item, dicts by key, strings by character, undefined as empty.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        PyTuple tuple => tuple.Items,
        PyDict dict => dict.Keys.Select(PyDict.Unkey),
        string s => PyText.CodePoints(s),
        Markup m => PyText.CodePoints(m.Text),
        Undefined => [],
        PyIterator iterator => iterator.Consume(),
        _ => throw TemplateRuntimeError.TypeError($"'{TypeName(value)}' object is not iterable"),
    };

    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    public static long Length(object? value) => value switch
    {
        List<object?> list => list.Count,
        PyTuple tuple => tuple.Items.Count,
        PyDict dict => dict.Count,
        string s => PyText.Length(s),
        Markup m => PyText.Length(m.Text),
        Undefined => 0,
        Namespace ns => ns.Attributes.Count,
        _ => throw TemplateRuntimeError.TypeError($"object of type '{TypeName(value)}' has no len()"),
    };
}
