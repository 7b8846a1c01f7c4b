namespace ChatEngine.Templates.Syntax;

/// <summary>An expression node; <see cref="Line"/>/<see cref="Column"/> locate it for error messages.</summary>
internal abstract record Expr(int Line, int Column);

internal sealed record LiteralExpr(object? Value, int Line, int Column) : Expr(Line, Column);

internal sealed record NameExpr(string Name, int Line, int Column) : Expr(Line, Column);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line, int Column) : Expr(Line, Column);

internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Line, int Column) : Expr(Line, Column);

internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Entries, int Line, int Column) : Expr(Line, Column);

/// <summary><c>target.name</c>: attribute first, then item (jinja2 getattr).</summary>
internal sealed record AttributeExpr(Expr Target, string Name, int Line, int Column) : Expr(Line, Column);

/// <summary><c>target[index]</c>: item first, then attribute (jinja2 getitem).</summary>
internal sealed record SubscriptExpr(Expr Target, Expr Index, int Line, int Column) : Expr(Line, Column);

/// <summary><c>start:stop:step</c>, only valid as the index of a subscript.</summary>
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line, int Column) : Expr(Line, Column);

internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<KeyValuePair<string, Expr>> Keyword)
{
    public static Arguments None { get; } = new([], []);
}

internal sealed record CallExpr(Expr Callee, Arguments Arguments, int Line, int Column) : Expr(Line, Column);

internal sealed record FilterExpr(Expr Input, string Name, Arguments Arguments, int Line, int Column) : Expr(Line, Column);

internal sealed record TestExpr(Expr Input, string Name, Arguments Arguments, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
internal sealed record UnaryExpr(string Operator, Expr Operand, int Line, int Column) : Expr(Line, Column);

/// <summary>Arithmetic operators plus the short-circuit <c>and</c>/<c>or</c>.</summary>
internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);

/// <summary>A (possibly chained) comparison <c>a &lt; b &lt;= c</c>; operators include <c>in</c> and <c>not in</c>.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest, int Line, int Column) : Expr(Line, Column);

/// <summary><c>a ~ b ~ c</c>: string concatenation of the str() of every operand.</summary>
internal sealed record ConcatExpr(IReadOnlyList<Expr> Operands, int Line, int Column) : Expr(Line, Column);

/// <summary><c>then if test else otherwise</c>; a missing else yields undefined.</summary>
internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Otherwise, int Line, int Column) : Expr(Line, Column);
