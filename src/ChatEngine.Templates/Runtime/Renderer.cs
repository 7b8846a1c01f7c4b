using System.Text;
using ChatEngine.Templates.Syntax;

namespace ChatEngine.Templates.Runtime;

/// <summary>
/// Walks the parsed template and writes the output. Runtime failures are tied to the innermost expression (or
/// statement) being evaluated and surface as <see cref="TemplateRenderException"/>.
/// </summary>
internal sealed class Renderer
{
    private const int MaxRange = 100_000;

    /// <summary>Bounds macro recursion (jinja2 would hit Python's RecursionError) so a runaway template cannot overflow the stack.</summary>
    private const int MaxCallDepth = 200;

    private readonly TimeProvider _time;
    private StringBuilder _output = new();
    private int _callDepth;

    public Renderer(TimeProvider time) => _time = time;

    private enum Flow { Normal, Break, Continue }

    public string Render(IReadOnlyList<Stmt> template, IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new Scope(null);
        DefineGlobals(globals);
        foreach (var pair in variables) globals.Set(pair.Key, pair.Value);
        _output = new StringBuilder();
        Execute(template, new Scope(globals));
        return _output.ToString();
    }

    private void DefineGlobals(Scope globals)
    {
        globals.Set("raise_exception", new NativeFunction("raise_exception", (_, args) =>
            throw new TemplateRuntimeError(PyFormat.Str(args.Get(0, "message", "")), raisedByTemplate: true)));
        globals.Set("strftime_now", new NativeFunction("strftime_now", (_, args) =>
        {
            args.Check("strftime_now", "format");
            return PyOps.TryGetText(args.Require(0, "format", "strftime_now"), out var format)
                ? Strftime.Format(_time.GetLocalNow(), format)
                : throw TemplateRuntimeError.TypeError("strftime_now() argument must be str");
        }));
        globals.Set("range", new NativeFunction("range", (_, args) => Range(args)));
        globals.Set("namespace", new NativeFunction("namespace", (_, args) =>
        {
            var ns = new Namespace();
            foreach (var initial in args.Positional)
            {
                if (initial is not PyDict dict) throw TemplateRuntimeError.TypeError("namespace() positional argument must be a dict");
                foreach (var pair in dict) ns.Attributes[PyFormat.Str(PyDict.Unkey(pair.Key))] = pair.Value;
            }
            foreach (var pair in args.Keyword) ns.Attributes[pair.Key] = pair.Value;
            return ns;
        }));
        globals.Set("dict", new NativeFunction("dict", (_, args) =>
        {
            var dict = new PyDict();
            foreach (var initial in args.Positional)
            {
                if (initial is not PyDict source) throw TemplateRuntimeError.TypeError("dict() positional argument must be a dict");
                foreach (var pair in source) dict[pair.Key] = pair.Value;
            }
            foreach (var pair in args.Keyword) dict[pair.Key] = pair.Value;
            return dict;
        }));
    }

    private static List<object?> Range(CallArguments args)
    {
        if (args.Keyword.Count > 0) throw TemplateRuntimeError.TypeError("range() takes no keyword arguments");
        var bounds = args.Positional.Select(v => v switch
        {
            long l => l,
            bool b => b ? 1L : 0L,
            _ => throw TemplateRuntimeError.TypeError($"'{PyOps.TypeName(v)}' object cannot be interpreted as an integer"),
        }).ToArray();
        var (start, stop, step) = bounds.Length switch
        {
            1 => (0L, bounds[0], 1L),
            2 => (bounds[0], bounds[1], 1L),
            3 => (bounds[0], bounds[1], bounds[2]),
            _ => throw TemplateRuntimeError.TypeError($"range expected 1 to 3 arguments, got {bounds.Length}"),
        };
        if (step == 0) throw new TemplateRuntimeError("ValueError: range() arg 3 must not be zero");
        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (result.Count >= MaxRange) throw new TemplateRuntimeError($"range too big, maximum size is {MaxRange}");
            result.Add(i);
        }
        return result;
    }

    /// <summary>Renders <paramref name="body"/> into a separate buffer and returns the text (macros, block set, filter blocks).</summary>
    public string Capture(IReadOnlyList<Stmt> body, Scope scope)
    {
        var saved = _output;
        _output = new StringBuilder();
        try
        {
            Execute(body, scope);
            return _output.ToString();
        }
        finally
        {
            _output = saved;
        }
    }

    private static TemplateRenderException Locate(Exception error, int line, int column) => error switch
    {
        TemplateRuntimeError { RaisedByTemplate: true } raised => new TemplateRaisedException(raised.Message, line, column),
        OverflowException => new TemplateRenderException("OverflowError: integer result out of range", line, column),
        _ => new TemplateRenderException(error.Message, line, column),
    };

    /// <summary><see cref="Capture"/> for a macro call, counting the nesting depth.</summary>
    public string CaptureCall(string macroName, IReadOnlyList<Stmt> body, Scope scope)
    {
        if (_callDepth >= MaxCallDepth)
        {
            throw new TemplateRuntimeError($"RecursionError: maximum recursion depth exceeded in macro '{macroName}'");
        }
        _callDepth++;
        try
        {
            return Capture(body, scope);
        }
        finally
        {
            _callDepth--;
        }
    }

    // ---------------------------------------------------------------- statements

    private Flow Execute(IReadOnlyList<Stmt> body, Scope scope)
    {
        foreach (var statement in body)
        {
            var flow = Execute(statement, scope);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    private Flow Execute(Stmt statement, Scope scope)
    {
        try
        {
            return ExecuteCore(statement, scope);
        }
        catch (Exception e) when (e is TemplateRuntimeError or OverflowException)
        {
            throw Locate(e, statement.Line, statement.Column);
        }
    }

    private Flow ExecuteCore(Stmt statement, Scope scope)
    {
        switch (statement)
        {
            case TextStmt text:
                _output.Append(text.Text);
                return Flow.Normal;
            case OutputStmt output:
                _output.Append(PyFormat.Str(Evaluate(output.Value, scope)));
                return Flow.Normal;
            case IfStmt ifStatement:
                foreach (var branch in ifStatement.Branches)
                {
                    if (PyOps.IsTruthy(Evaluate(branch.Condition, scope))) return Execute(branch.Body, scope);
                }
                return Execute(ifStatement.Else, scope);
            case ForStmt forStatement:
                ExecuteFor(forStatement, scope);
                return Flow.Normal;
            case SetStmt set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case BlockSetStmt blockSet:
                Assign(blockSet.Target, ApplyFilters(blockSet.Filters, Capture(blockSet.Body, new Scope(scope)), scope), scope);
                return Flow.Normal;
            case MacroStmt macro:
                scope.Set(macro.Name, new Macro(macro.Name, macro.Parameters, macro.Body, scope));
                return Flow.Normal;
            case CallBlockStmt callBlock:
                var caller = new Macro("caller", callBlock.CallerParameters, callBlock.Body, scope);
                _output.Append(PyFormat.Str(EvaluateCall(callBlock.Call, scope, caller)));
                return Flow.Normal;
            case FilterBlockStmt filterBlock:
                _output.Append(PyFormat.Str(ApplyFilters(filterBlock.Filters, Capture(filterBlock.Body, new Scope(scope)), scope)));
                return Flow.Normal;
            case GenerationStmt generation:
                return Execute(generation.Body, scope);
            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            default:
                throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
        }
    }

    private object? ApplyFilters(IReadOnlyList<FilterCall> filters, object? value, Scope scope)
    {
        foreach (var filter in filters)
        {
            try
            {
                value = Filters.Apply(filter.Name, value, EvaluateArguments(filter.Arguments, scope));
            }
            catch (Exception e) when (e is TemplateRuntimeError or OverflowException)
            {
                throw Locate(e, filter.Line, filter.Column);
            }
        }
        return value;
    }

    private void ExecuteFor(ForStmt statement, Scope scope)
    {
        var iterable = Evaluate(statement.Iterable, scope);
        List<object?> items;
        try
        {
            items = PyOps.ToList(iterable);
        }
        catch (TemplateRuntimeError e)
        {
            throw Locate(e, statement.Iterable.Line, statement.Iterable.Column);
        }
        if (statement.Filter is not null)
        {
            items = items.Where(item =>
            {
                var probe = new Scope(scope);
                Assign(statement.Target, item, probe);
                return PyOps.IsTruthy(Evaluate(statement.Filter, probe));
            }).ToList();
        }
        if (items.Count == 0)
        {
            Execute(statement.Else, new Scope(scope));
            return;
        }
        var loop = new LoopContext(items);
        for (var i = 0; i < items.Count; i++)
        {
            var frame = new Scope(scope);
            loop.Index0 = i;
            frame.Set("loop", loop);
            Assign(statement.Target, items[i], frame);
            if (Execute(statement.Body, frame) == Flow.Break) break;
        }
    }

    private static void Assign(AssignTarget target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case TupleTarget tuple:
                var values = PyOps.ToList(value);
                if (values.Count != tuple.Names.Count)
                {
                    throw new TemplateRuntimeError(values.Count > tuple.Names.Count
                        ? $"ValueError: too many values to unpack (expected {tuple.Names.Count})"
                        : $"ValueError: not enough values to unpack (expected {tuple.Names.Count}, got {values.Count})");
                }
                for (var i = 0; i < values.Count; i++) scope.Set(tuple.Names[i], values[i]);
                break;
            case NamespaceAttributeTarget attribute:
                if (scope.Lookup(attribute.Namespace) is not Namespace ns)
                {
                    throw new TemplateRuntimeError($"cannot assign attribute '{attribute.Attribute}' on '{attribute.Namespace}': not a namespace object");
                }
                ns.Attributes[attribute.Attribute] = value;
                break;
        }
    }

    // ---------------------------------------------------------------- expressions

    public object? Evaluate(Expr expression, Scope scope)
    {
        try
        {
            return EvaluateCore(expression, scope);
        }
        catch (Exception e) when (e is TemplateRuntimeError or OverflowException)
        {
            throw Locate(e, expression.Line, expression.Column);
        }
    }

    private object? EvaluateCore(Expr expression, Scope scope)
    {
        switch (expression)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return scope.Lookup(name.Name);
            case ListExpr list:
                return list.Items.Select(item => Evaluate(item, scope)).ToList();
            case TupleExpr tuple:
                return new PyTuple(tuple.Items.Select(item => Evaluate(item, scope)).ToList());
            case DictExpr dict:
                var result = new PyDict();
                foreach (var entry in dict.Entries)
                {
                    result[PyDict.Key(Evaluate(entry.Key, scope), "dict literal")] = Evaluate(entry.Value, scope);
                }
                return result;
            case AttributeExpr attribute:
                return Access.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case SubscriptExpr { Index: SliceExpr slice } subscript:
                return Access.Slice(Evaluate(subscript.Target, scope), EvaluateOptional(slice.Start, scope),
                    EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope));
            case SubscriptExpr subscript:
                return Access.GetItem(Evaluate(subscript.Target, scope), Evaluate(subscript.Index, scope));
            case CallExpr call:
                return EvaluateCall(call, scope, caller: null);
            case FilterExpr filter:
                return Filters.Apply(filter.Name, Evaluate(filter.Input, scope), EvaluateArguments(filter.Arguments, scope));
            case TestExpr test:
                var outcome = Tests.Apply(test.Name, Evaluate(test.Input, scope), EvaluateArguments(test.Arguments, scope));
                return outcome != test.Negated;
            case UnaryExpr unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !PyOps.IsTruthy(operand),
                    "-" => PyOps.Negate(operand),
                    _ => PyOps.Plus(operand),
                };
            case BinaryExpr { Operator: "and" } and:
                var left = Evaluate(and.Left, scope);
                return PyOps.IsTruthy(left) ? Evaluate(and.Right, scope) : left;
            case BinaryExpr { Operator: "or" } or:
                var first = Evaluate(or.Left, scope);
                return PyOps.IsTruthy(first) ? first : Evaluate(or.Right, scope);
            case BinaryExpr binary:
                return PyOps.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope));
            case CompareExpr compare:
                return EvaluateCompare(compare, scope);
            case ConcatExpr concat:
                return string.Concat(concat.Operands.Select(operand => PyFormat.Str(Evaluate(operand, scope))));
            case ConditionalExpr conditional:
                if (PyOps.IsTruthy(Evaluate(conditional.Test, scope))) return Evaluate(conditional.Then, scope);
                return conditional.Otherwise is null
                    ? Undefined.Custom("the inline if-expression evaluated to false and no else section was defined.")
                    : Evaluate(conditional.Otherwise, scope);
            case SliceExpr:
                throw new TemplateRuntimeError("a slice is only valid inside [...]");
            default:
                throw new InvalidOperationException($"unknown expression {expression.GetType().Name}");
        }
    }

    private object? EvaluateOptional(Expr? expression, Scope scope) => expression is null ? null : Evaluate(expression, scope);

    private bool EvaluateCompare(CompareExpr compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, rightExpression) in compare.Rest)
        {
            var right = Evaluate(rightExpression, scope);
            var holds = op switch
            {
                "==" => PyOps.PyEquals(left, right),
                "!=" => !PyOps.PyEquals(left, right),
                "<" => PyOps.Compare(left, right, op) < 0,
                "<=" => PyOps.Compare(left, right, op) <= 0,
                ">" => PyOps.Compare(left, right, op) > 0,
                ">=" => PyOps.Compare(left, right, op) >= 0,
                "in" => PyOps.Contains(right, left),
                "not in" => !PyOps.Contains(right, left),
                _ => throw new InvalidOperationException(op),
            };
            if (!holds) return false;
            left = right;
        }
        return true;
    }

    private CallArguments EvaluateArguments(Arguments arguments, Scope scope) =>
        new(arguments.Positional.Select(a => Evaluate(a, scope)).ToList(),
            arguments.Keyword.Select(k => new KeyValuePair<string, object?>(k.Key, Evaluate(k.Value, scope))).ToList());

    private object? EvaluateCall(CallExpr call, Scope scope, Macro? caller)
    {
        var callee = Evaluate(call.Callee, scope);
        var arguments = EvaluateArguments(call.Arguments, scope);
        if (caller is not null) arguments.Keyword.Add(new("caller", caller));
        return callee switch
        {
            ICallable callable => callable.Call(this, arguments),
            Undefined undefined => throw undefined.Fail(),
            _ => throw TemplateRuntimeError.TypeError($"'{PyOps.TypeName(callee)}' object is not callable"),
        };
    }
}
