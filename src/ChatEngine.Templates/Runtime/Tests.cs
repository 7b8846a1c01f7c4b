namespace ChatEngine.Templates.Runtime;

/// <summary>The jinja2 built-in tests (<c>x is defined</c>, <c>x is divisibleby 3</c> ...).</summary>
internal static class Tests
{
    private delegate bool Test(object? value, CallArguments args);

    private static readonly Dictionary<string, Test> Registry = new(StringComparer.Ordinal)
    {
        ["boolean"] = (v, _) => v is bool,
        ["callable"] = (v, _) => v is ICallable,
        ["defined"] = (v, _) => v is not Undefined,
        ["divisibleby"] = (v, a) => PyOps.PyEquals(PyOps.Binary("%", v, a.Require(0, "num", "divisibleby")), 0L),
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["escaped"] = (v, _) => v is Markup,
        ["even"] = (v, _) => PyOps.PyEquals(PyOps.Binary("%", v, 2L), 0L),
        ["false"] = (v, _) => v is false,
        ["float"] = (v, _) => v is double,
        ["ge"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "ge"), ">=") >= 0,
        [">="] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "ge"), ">=") >= 0,
        ["gt"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "gt"), ">") > 0,
        [">"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "gt"), ">") > 0,
        ["greaterthan"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "gt"), ">") > 0,
        ["in"] = (v, a) => PyOps.Contains(a.Require(0, "seq", "in"), v),
        ["integer"] = (v, _) => v is long,
        ["iterable"] = (v, _) => v is string or Markup or List<object?> or PyTuple or PyDict or Undefined or PyIterator,
        ["le"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "le"), "<=") <= 0,
        ["<="] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "le"), "<=") <= 0,
        ["lower"] = (v, _) => PyOps.TryGetText(v, out var s) && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["lt"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "lt"), "<") < 0,
        ["<"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "lt"), "<") < 0,
        ["lessthan"] = (v, a) => PyOps.Compare(v, a.Require(0, "other", "lt"), "<") < 0,
        ["mapping"] = (v, _) => v is PyDict,
        ["ne"] = (v, a) => !PyOps.PyEquals(v, a.Require(0, "other", "ne")),
        ["!="] = (v, a) => !PyOps.PyEquals(v, a.Require(0, "other", "ne")),
        ["none"] = (v, _) => v is null,
        ["number"] = (v, _) => PyOps.IsNumber(v),
        ["odd"] = (v, _) => PyOps.PyEquals(PyOps.Binary("%", v, 2L), 1L),
        ["sameas"] = (v, a) => SameAs(v, a.Require(0, "other", "sameas")),
        ["sequence"] = (v, _) => v is string or Markup or List<object?> or PyTuple or PyDict or Undefined,
        ["string"] = (v, _) => v is string or Markup,
        ["true"] = (v, _) => v is true,
        ["undefined"] = (v, _) => v is Undefined,
        ["upper"] = (v, _) => PyOps.TryGetText(v, out var s) && s.Any(char.IsUpper) && !s.Any(char.IsLower),
    };

    public static bool IsKnown(string name) => Registry.ContainsKey(name);

    public static bool Apply(string name, object? value, CallArguments args) =>
        Registry.TryGetValue(name, out var test)
            ? test(value, args)
            : throw new TemplateRuntimeError($"no test named '{name}'");

    private static bool Equal(object? value, CallArguments args) => PyOps.PyEquals(value, args.Require(0, "other", "equalto"));

    /// <summary>Python's <c>is</c>: identity, which for small ints, bools, None and interned strings is value identity.</summary>
    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool x => b is bool y && x == y,
        long x => b is long y && x == y,
        _ => ReferenceEquals(a, b),
    };
}
