using System.Globalization;
using ChatEngine.Templates.Lexing;
using ChatEngine.Templates.Runtime;
using ChatEngine.Templates.Syntax;

namespace ChatEngine.Templates.Parsing;

/// <summary>
/// Recursive-descent parser following jinja2's grammar and operator precedence (filters and tests bind tighter than
/// arithmetic, unary minus tighter than <c>**</c>). Unsupported tags fail here, at parse time; so do unknown filters/tests,
/// except (as in jinja2's compiler, whose "soft frames" these are) inside an <c>if</c> statement or a conditional
/// expression, where they fail only when evaluated: templates guard filters other engines have, e.g.
/// <c>{% if args is string %}{% set args = args | from_json %}{% endif %}</c>.
/// </summary>
internal sealed class Parser
{
    private static readonly HashSet<string> UnsupportedTags =
    [
        "include", "import", "from", "extends", "block", "with", "autoescape", "do", "trans", "pluralize", "endblock",
    ];

    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    private readonly List<Token> _tokens;
    private int _index;
    private int _loopDepth;
    private bool _soft;
    private readonly List<TemplateSyntaxException> _unknownNames = [];

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static IReadOnlyList<Stmt> Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var body = parser.ParseStatements();
        var end = parser.Current;
        if (end.Kind != TokenKind.EndOfFile) throw Error($"unexpected {end.Describe()}", end);
        return body;
    }

    private Token Current => _tokens[_index];

    private Token Peek(int offset = 1) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++ < _tokens.Count - 1 ? _index - 1 : _tokens.Count - 1];

    private static TemplateSyntaxException Error(string message, Token at) => new(message, at.Line, at.Column);

    private Token Expect(TokenKind kind, string? text = null)
    {
        var token = Current;
        if (token.Kind != kind || (text is not null && token.Text != text))
        {
            var expected = text is not null ? $"'{text}'" : kind switch
            {
                TokenKind.Name => "a name",
                TokenKind.BlockEnd => "'%}'",
                TokenKind.VariableEnd => "'}}'",
                _ => kind.ToString(),
            };
            throw Error($"expected {expected}, got {token.Describe()}", token);
        }
        return Advance();
    }

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        _index++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _index++;
        return true;
    }

    // ---------------------------------------------------------------- statements

    /// <summary>Parses until end of file or a block tag whose keyword is one of <paramref name="endKeywords"/> (left unconsumed).</summary>
    private List<Stmt> ParseStatements(params string[] endKeywords)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.EndOfFile:
                    if (endKeywords.Length > 0) throw Error($"unexpected end of template: expected {{% {string.Join(" or ", endKeywords)} %}}", token);
                    return body;
                case TokenKind.Data:
                    Advance();
                    body.Add(new TextStmt(token.Text, token.Line, token.Column));
                    break;
                case TokenKind.VariableBegin:
                    Advance();
                    var value = ParseTuple(withConditional: true);
                    Expect(TokenKind.VariableEnd);
                    body.Add(new OutputStmt(value, token.Line, token.Column));
                    break;
                case TokenKind.BlockBegin:
                    var keyword = Peek();
                    if (keyword.Kind == TokenKind.Name && endKeywords.Contains(keyword.Text)) return body;
                    Advance();
                    body.Add(ParseBlockStatement());
                    break;
                default:
                    throw Error($"unexpected {token.Describe()}", token);
            }
            if (_unknownNames.Count > 0) throw _unknownNames[0];
        }
    }

    /// <summary>The body of a for/set/macro/call/filter/generation block: jinja2 gives it a frame of its own, never soft.</summary>
    private List<Stmt> ParseBody(params string[] endKeywords)
    {
        var outer = _soft;
        _soft = false;
        var body = ParseStatements(endKeywords);
        _soft = outer;
        return body;
    }

    private Stmt ParseBlockStatement()
    {
        var keyword = Expect(TokenKind.Name);
        switch (keyword.Text)
        {
            case "if": return ParseIf(keyword);
            case "for": return ParseFor(keyword);
            case "set": return ParseSet(keyword);
            case "macro": return ParseMacro(keyword);
            case "call": return ParseCallBlock(keyword);
            case "filter": return ParseFilterBlock(keyword);
            case "generation": return ParseGeneration(keyword);
            case "break" or "continue":
                if (_loopDepth == 0) throw Error($"'{keyword.Text}' outside of a for loop", keyword);
                Expect(TokenKind.BlockEnd);
                return keyword.Text == "break" ? new BreakStmt(keyword.Line, keyword.Column) : new ContinueStmt(keyword.Line, keyword.Column);
        }
        if (UnsupportedTags.Contains(keyword.Text)) throw Error($"unsupported statement '{keyword.Text}'", keyword);
        throw Error($"unexpected tag '{keyword.Text}'", keyword);
    }

    private void ExpectEndTag(string keyword)
    {
        Expect(TokenKind.BlockBegin);
        Expect(TokenKind.Name, keyword);
        Expect(TokenKind.BlockEnd);
    }

    private IfStmt ParseIf(Token keyword)
    {
        var outer = _soft;
        _soft = true;
        var statement = ParseIfBranches(keyword);
        _soft = outer;
        return statement;
    }

    private IfStmt ParseIfBranches(Token keyword)
    {
        var branches = new List<IfBranch>();
        IReadOnlyList<Stmt> otherwise = [];
        var condition = ParseTuple(withConditional: false);
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseStatements("elif", "else", "endif");
            branches.Add(new IfBranch(condition, body));
            Expect(TokenKind.BlockBegin);
            var next = Expect(TokenKind.Name);
            if (next.Text == "elif")
            {
                condition = ParseTuple(withConditional: false);
                continue;
            }
            if (next.Text == "else")
            {
                Expect(TokenKind.BlockEnd);
                otherwise = ParseStatements("endif");
                ExpectEndTag("endif");
            }
            else
            {
                Expect(TokenKind.BlockEnd);
            }
            return new IfStmt(branches, otherwise, keyword.Line, keyword.Column);
        }
    }

    private ForStmt ParseFor(Token keyword)
    {
        var target = ParseAssignTarget(allowNamespaceAttribute: false);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withConditional: false);
        Expr? filter = null;
        if (SkipName("if")) filter = ParseExpression(withConditional: true);
        if (Current.IsName("recursive")) throw Error("unsupported construct: recursive for loop", Current);
        Expect(TokenKind.BlockEnd);
        _loopDepth++;
        var body = ParseBody("else", "endfor");
        _loopDepth--;
        IReadOnlyList<Stmt> otherwise = [];
        Expect(TokenKind.BlockBegin);
        if (Expect(TokenKind.Name).Text == "else")
        {
            Expect(TokenKind.BlockEnd);
            otherwise = ParseBody("endfor");
            ExpectEndTag("endfor");
        }
        else
        {
            Expect(TokenKind.BlockEnd);
        }
        return new ForStmt(target, iterable, filter, body, otherwise, keyword.Line, keyword.Column);
    }

    private AssignTarget ParseAssignTarget(bool allowNamespaceAttribute)
    {
        var first = Current;
        var parenthesized = SkipOperator("(");
        var name = Expect(TokenKind.Name);
        if (allowNamespaceAttribute && !parenthesized && SkipOperator("."))
        {
            var attribute = Expect(TokenKind.Name);
            return new NamespaceAttributeTarget(name.Text, attribute.Text, first.Line, first.Column);
        }
        var names = new List<string> { name.Text };
        var isTuple = parenthesized;
        while (SkipOperator(","))
        {
            isTuple = true;
            if (Current.Kind != TokenKind.Name) break;
            names.Add(Advance().Text);
        }
        if (parenthesized) Expect(TokenKind.Operator, ")");
        foreach (var n in names)
        {
            if (n is "true" or "false" or "none" or "True" or "False" or "None") throw Error($"cannot assign to '{n}'", first);
        }
        return isTuple ? new TupleTarget(names, first.Line, first.Column) : new NameTarget(name.Text, first.Line, first.Column);
    }

    private Stmt ParseSet(Token keyword)
    {
        var target = ParseAssignTarget(allowNamespaceAttribute: true);
        if (SkipOperator("="))
        {
            var value = ParseTuple(withConditional: true);
            Expect(TokenKind.BlockEnd);
            return new SetStmt(target, value, keyword.Line, keyword.Column);
        }
        var filters = new List<FilterCall>();
        while (SkipOperator("|")) filters.Add(ParseFilterCall());
        Expect(TokenKind.BlockEnd);
        var body = ParseBody("endset");
        ExpectEndTag("endset");
        return new BlockSetStmt(target, filters, body, keyword.Line, keyword.Column);
    }

    private List<MacroParameter> ParseParameterList()
    {
        var parameters = new List<MacroParameter>();
        Expect(TokenKind.Operator, "(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOperator(")")) break;
            var name = Expect(TokenKind.Name);
            Expr? defaultValue = null;
            if (SkipOperator("=")) defaultValue = ParseExpression(withConditional: true);
            else if (parameters.Any(p => p.Default is not null)) throw Error("non-default argument follows default argument", name);
            parameters.Add(new MacroParameter(name.Text, defaultValue));
        }
        Expect(TokenKind.Operator, ")");
        return parameters;
    }

    private MacroStmt ParseMacro(Token keyword)
    {
        var name = Expect(TokenKind.Name);
        var parameters = ParseParameterList();
        Expect(TokenKind.BlockEnd);
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        var body = ParseBody("endmacro");
        _loopDepth = loopDepth;
        ExpectEndTag("endmacro");
        return new MacroStmt(name.Text, parameters, body, keyword.Line, keyword.Column);
    }

    private CallBlockStmt ParseCallBlock(Token keyword)
    {
        var callerParameters = Current.IsOperator("(") ? ParseParameterList() : [];
        var call = ParseExpression(withConditional: true) as CallExpr
                   ?? throw Error("expected a macro call after 'call'", keyword);
        Expect(TokenKind.BlockEnd);
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        var body = ParseBody("endcall");
        _loopDepth = loopDepth;
        ExpectEndTag("endcall");
        return new CallBlockStmt(call, callerParameters, body, keyword.Line, keyword.Column);
    }

    private FilterBlockStmt ParseFilterBlock(Token keyword)
    {
        var filters = new List<FilterCall> { ParseFilterCall() };
        while (SkipOperator("|")) filters.Add(ParseFilterCall());
        Expect(TokenKind.BlockEnd);
        var body = ParseBody("endfilter");
        ExpectEndTag("endfilter");
        return new FilterBlockStmt(filters, body, keyword.Line, keyword.Column);
    }

    private GenerationStmt ParseGeneration(Token keyword)
    {
        Expect(TokenKind.BlockEnd);
        var body = ParseBody("endgeneration");
        ExpectEndTag("endgeneration");
        return new GenerationStmt(body, keyword.Line, keyword.Column);
    }

    private FilterCall ParseFilterCall()
    {
        var name = Expect(TokenKind.Name);
        if (!Filters.IsKnown(name.Text)) NoteUnknown($"no filter named '{name.Text}'", name);
        var arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments.None;
        return new FilterCall(name.Text, arguments, name.Line, name.Column);
    }

    // ---------------------------------------------------------------- expressions

    private Expr ParseTuple(bool withConditional)
    {
        var start = Current;
        var items = new List<Expr>();
        var sawComma = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!SkipOperator(",")) break;
                sawComma = true;
                if (IsTupleEnd()) break;
            }
            items.Add(ParseExpression(withConditional));
        }
        return sawComma ? new TupleExpr(items, start.Line, start.Column) : items[0];
    }

    private bool IsTupleEnd() =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.EndOfFile
        || Current.IsOperator(")") || Current.IsName("if");

    private Expr ParseExpression(bool withConditional) => withConditional ? ParseConditional() : ParseOr();

    /// <summary>An unknown filter/test: an error at the end of the statement unless it turns out to be in a soft frame.</summary>
    private void NoteUnknown(string message, Token at)
    {
        if (!_soft) _unknownNames.Add(Error(message, at));
    }

    private Expr ParseConditional()
    {
        var unknownBefore = _unknownNames.Count;
        var result = ParseOr();
        if (!Current.IsName("if")) return result;
        _unknownNames.RemoveRange(unknownBefore, _unknownNames.Count - unknownBefore);
        var outer = _soft;
        _soft = true;
        while (Current.IsName("if"))
        {
            var keyword = Advance();
            var test = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseConditional() : null;
            result = new ConditionalExpr(test, result, otherwise, keyword.Line, keyword.Column);
        }
        _soft = outer;
        return result;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var op = Advance();
            left = new BinaryExpr("or", left, ParseAnd(), op.Line, op.Column);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var op = Advance();
            left = new BinaryExpr("and", left, ParseNot(), op.Line, op.Column);
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var op = Advance();
            return new UnaryExpr("not", ParseNot(), op.Line, op.Column);
        }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            string op;
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Text)) op = Advance().Text;
            else if (SkipName("in")) op = "in";
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _index += 2;
                op = "not in";
            }
            else break;
            rest.Add(new(op, ParseMath1()));
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Line, first.Column);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Advance();
            left = new BinaryExpr(op.Text, left, ParseConcat(), op.Line, op.Column);
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var first = ParseMath2();
        if (!Current.IsOperator("~")) return first;
        var operands = new List<Expr> { first };
        while (SkipOperator("~")) operands.Add(ParseMath2());
        return new ConcatExpr(operands, first.Line, first.Column);
    }

    private Expr ParseMath2()
    {
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Advance();
            left = new BinaryExpr(op.Text, left, ParsePower(), op.Line, op.Column);
        }
        return left;
    }

    private Expr ParsePower()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            var op = Advance();
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true), op.Line, op.Column);
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        Expr node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var op = Advance();
            node = new UnaryExpr(op.Text, ParseUnary(withFilter: false), op.Line, op.Column);
        }
        else
        {
            node = ParsePrimary();
        }
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Advance();
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Line, token.Column),
                    "false" or "False" => new LiteralExpr(false, token.Line, token.Column),
                    "none" or "None" => new LiteralExpr(null, token.Line, token.Column),
                    _ => new NameExpr(token.Text, token.Line, token.Column),
                };
            case TokenKind.String:
                var text = Advance().Text;
                while (Current.Kind == TokenKind.String) text += Advance().Text;
                return new LiteralExpr(text, token.Line, token.Column);
            case TokenKind.Integer:
                Advance();
                if (!long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                {
                    throw Error($"integer literal {token.Text} is too large", token);
                }
                return new LiteralExpr(integer, token.Line, token.Column);
            case TokenKind.Float:
                Advance();
                return new LiteralExpr(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), token.Line, token.Column);
            case TokenKind.Operator when token.Text == "(":
                Advance();
                if (SkipOperator(")")) return new TupleExpr([], token.Line, token.Column);
                var inner = ParseTuple(withConditional: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                Advance();
                var items = new List<Expr>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0) Expect(TokenKind.Operator, ",");
                    if (Current.IsOperator("]")) break;
                    items.Add(ParseExpression(withConditional: true));
                }
                Expect(TokenKind.Operator, "]");
                return new ListExpr(items, token.Line, token.Column);
            case TokenKind.Operator when token.Text == "{":
                Advance();
                var entries = new List<KeyValuePair<Expr, Expr>>();
                while (!Current.IsOperator("}"))
                {
                    if (entries.Count > 0) Expect(TokenKind.Operator, ",");
                    if (Current.IsOperator("}")) break;
                    var key = ParseExpression(withConditional: true);
                    Expect(TokenKind.Operator, ":");
                    entries.Add(new(key, ParseExpression(withConditional: true)));
                }
                Expect(TokenKind.Operator, "}");
                return new DictExpr(entries, token.Line, token.Column);
            default:
                throw Error($"unexpected {token.Describe()}", token);
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var token = Current;
            if (SkipOperator("."))
            {
                var member = Advance();
                node = member.Kind switch
                {
                    TokenKind.Name => new AttributeExpr(node, member.Text, node.Line, node.Column),
                    TokenKind.Integer => new SubscriptExpr(node,
                        new LiteralExpr(long.Parse(member.Text, CultureInfo.InvariantCulture), member.Line, member.Column), node.Line, node.Column),
                    _ => throw Error($"expected an attribute name after '.', got {member.Describe()}", member),
                };
            }
            else if (SkipOperator("["))
            {
                var index = ParseSubscriptIndex();
                Expect(TokenKind.Operator, "]");
                node = new SubscriptExpr(node, index, node.Line, node.Column);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, ParseCallArguments(), node.Line, node.Column);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscriptIndex()
    {
        var start = Current;
        Expr? first = null;
        if (!Current.IsOperator(":"))
        {
            first = ParseExpression(withConditional: true);
            if (!Current.IsOperator(":")) return first;
        }
        Advance();
        Expr? stop = null, step = null;
        if (!Current.IsOperator("]") && !Current.IsOperator(":")) stop = ParseExpression(withConditional: true);
        if (SkipOperator(":") && !Current.IsOperator("]")) step = ParseExpression(withConditional: true);
        return new SliceExpr(first, stop, step, start.Line, start.Column);
    }

    private Arguments ParseCallArguments()
    {
        Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var keyword = new List<KeyValuePair<string, Expr>>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + keyword.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOperator(")")) break;
            if (Current.IsOperator("*") || Current.IsOperator("**")) throw Error("unsupported construct: *args/**kwargs in a call", Current);
            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var name = Advance().Text;
                Advance();
                keyword.Add(new(name, ParseExpression(withConditional: true)));
            }
            else
            {
                if (keyword.Count > 0) throw Error("positional argument follows keyword argument", Current);
                positional.Add(ParseExpression(withConditional: true));
            }
        }
        Expect(TokenKind.Operator, ")");
        return new Arguments(positional, keyword);
    }

    private Expr ParseFilterExpression(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                Advance();
                var filter = ParseFilterCall();
                node = new FilterExpr(node, filter.Name, filter.Arguments, filter.Line, filter.Column);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, ParseCallArguments(), node.Line, node.Column);
            }
            else
            {
                return node;
            }
        }
    }

    private TestExpr ParseTest(Expr node)
    {
        var keyword = Advance();
        var negated = SkipName("not");
        var name = Expect(TokenKind.Name);
        if (!Tests.IsKnown(name.Text)) NoteUnknown($"no test named '{name.Text}'", name);
        var arguments = Arguments.None;
        var next = Current;
        if (next.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((next.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || next.IsOperator("(") || next.IsOperator("[") || next.IsOperator("{"))
                 && !next.IsName("else") && !next.IsName("or") && !next.IsName("and"))
        {
            if (next.IsName("is")) throw Error("tests cannot be chained with 'is'", next);
            arguments = new Arguments([ParsePostfix(ParsePrimary())], []);
        }
        return new TestExpr(node, name.Text, arguments, negated, keyword.Line, keyword.Column);
    }
}
