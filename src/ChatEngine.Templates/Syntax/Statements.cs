namespace ChatEngine.Templates.Syntax;

/// <summary>A statement (template node that writes output or changes state).</summary>
internal abstract record Stmt(int Line, int Column);

internal sealed record TextStmt(string Text, int Line, int Column) : Stmt(Line, Column);

internal sealed record OutputStmt(Expr Value, int Line, int Column) : Stmt(Line, Column);

internal sealed record IfBranch(Expr Condition, IReadOnlyList<Stmt> Body);

internal sealed record IfStmt(IReadOnlyList<IfBranch> Branches, IReadOnlyList<Stmt> Else, int Line, int Column) : Stmt(Line, Column);

/// <summary>Where a for loop or a set statement stores its value.</summary>
internal abstract record AssignTarget(int Line, int Column);

internal sealed record NameTarget(string Name, int Line, int Column) : AssignTarget(Line, Column);

internal sealed record TupleTarget(IReadOnlyList<string> Names, int Line, int Column) : AssignTarget(Line, Column);

/// <summary><c>ns.attr</c>: only valid on a namespace() object.</summary>
internal sealed record NamespaceAttributeTarget(string Namespace, string Attribute, int Line, int Column) : AssignTarget(Line, Column);

internal sealed record ForStmt(AssignTarget Target, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt> Else,
    int Line, int Column) : Stmt(Line, Column);

internal sealed record SetStmt(AssignTarget Target, Expr Value, int Line, int Column) : Stmt(Line, Column);

internal sealed record FilterCall(string Name, Arguments Arguments, int Line, int Column);

/// <summary><c>{% set x | filters %}body{% endset %}</c>.</summary>
internal sealed record BlockSetStmt(AssignTarget Target, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Stmt> Body, int Line, int Column)
    : Stmt(Line, Column);

internal sealed record MacroParameter(string Name, Expr? Default);

internal sealed record MacroStmt(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Stmt> Body, int Line, int Column)
    : Stmt(Line, Column);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: body is available to the macro as <c>caller</c>.</summary>
internal sealed record CallBlockStmt(CallExpr Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<Stmt> Body,
    int Line, int Column) : Stmt(Line, Column);

internal sealed record FilterBlockStmt(IReadOnlyList<FilterCall> Filters, IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);

internal sealed record BreakStmt(int Line, int Column) : Stmt(Line, Column);

internal sealed record ContinueStmt(int Line, int Column) : Stmt(Line, Column);

/// <summary>transformers' <c>{% generation %}</c> marker: renders its body unchanged.</summary>
internal sealed record GenerationStmt(IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);
