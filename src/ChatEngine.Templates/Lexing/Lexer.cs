using System.Text;
using ChatEngine.Templates.Runtime;

namespace ChatEngine.Templates.Lexing;

/// <summary>
/// Splits a template into data and tag tokens the way jinja2's lexer does with trim_blocks=True, lstrip_blocks=True
/// and keep_trailing_newline=False: newlines are normalised to \n, one trailing newline is dropped, `-` strips all
/// whitespace on its side, `+` disables lstrip/trim, and brackets must balance before a tag can end.
/// </summary>
internal sealed class Lexer
{
    private static readonly string[] TwoCharOperators = ["//", "**", "==", "!=", ">=", "<="];
    private const string OneCharOperators = "+-/*%~[](){}<>=.,:|";

    private readonly string _source;
    private readonly SourcePositions _positions;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private bool _lineStarting = true;

    private Lexer(string source)
    {
        _source = source;
        _positions = new SourcePositions(source);
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(Normalize(source));
        lexer.Run();
        return lexer._tokens;
    }

    private static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private enum TagKind { Variable, Block, Comment }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            var tagStart = FindTagStart(_pos, out var kind);
            if (tagStart < 0)
            {
                EmitData(_source[_pos..], _pos);
                _pos = _source.Length;
                break;
            }

            var sign = tagStart + 2 < _source.Length && _source[tagStart + 2] is '-' or '+' ? _source[tagStart + 2] : '\0';
            var text = StripBeforeTag(_source[_pos..tagStart], sign, kind);
            EmitData(text, _pos);

            switch (kind)
            {
                case TagKind.Comment:
                    LexComment(tagStart);
                    break;
                case TagKind.Block when TryMatchKeywordTag(tagStart, "raw", out var rawBodyStart, out _):
                    LexRaw(rawBodyStart);
                    break;
                default:
                    LexTag(tagStart, kind, sign);
                    break;
            }
        }
        _tokens.Add(new Token(TokenKind.EndOfFile, "", _positions.Line(_pos), _positions.Column(_pos)));
    }

    private int FindTagStart(int from, out TagKind kind)
    {
        kind = TagKind.Variable;
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            switch (_source[i + 1])
            {
                case '{': kind = TagKind.Variable; return i;
                case '%': kind = TagKind.Block; return i;
                case '#': kind = TagKind.Comment; return i;
            }
        }
        return -1;
    }

    private string StripBeforeTag(string text, char sign, TagKind kind)
    {
        if (sign == '-') return PyText.RStripWhitespace(text);
        if (sign == '+' || kind == TagKind.Variable) return text;
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting) return text;
        for (var i = lineStart; i < text.Length; i++)
        {
            if (!PyText.IsWhitespace(text[i])) return text;
        }
        return text[..lineStart];
    }

    private void EmitData(string text, int offset)
    {
        if (text.Length > 0) _tokens.Add(new Token(TokenKind.Data, text, _positions.Line(offset), _positions.Column(offset)));
    }

    private void LexComment(int tagStart)
    {
        var end = _source.IndexOf("#}", tagStart + 2, StringComparison.Ordinal);
        if (end < 0) throw Error("unterminated comment: missing '#}'", tagStart);
        var sign = end > tagStart + 2 && _source[end - 1] is '-' or '+' ? _source[end - 1] : '\0';
        _pos = end + 2;
        SkipAfterTag(sign, trimBlocks: true);
    }

    /// <summary>Matches <c>{%[-+]? keyword [-+]?%}</c> at <paramref name="tagStart"/>.</summary>
    private bool TryMatchKeywordTag(int tagStart, string keyword, out int afterTag, out char closingSign)
    {
        afterTag = -1;
        closingSign = '\0';
        var p = tagStart + 2;
        if (p < _source.Length && _source[p] is '-' or '+') p++;
        while (p < _source.Length && PyText.IsWhitespace(_source[p])) p++;
        if (string.CompareOrdinal(_source, p, keyword, 0, keyword.Length) != 0) return false;
        p += keyword.Length;
        if (p < _source.Length && PyText.IsIdentifierPart(_source[p])) return false;
        while (p < _source.Length && PyText.IsWhitespace(_source[p])) p++;
        if (p < _source.Length && _source[p] is '-' or '+')
        {
            closingSign = _source[p];
            p++;
        }
        if (string.CompareOrdinal(_source, p, "%}", 0, 2) != 0) return false;
        afterTag = p + 2;
        return true;
    }

    private void LexRaw(int bodyStart)
    {
        _pos = bodyStart;
        if (_source[bodyStart - 3] == '-') SkipAfterTag('-', trimBlocks: false);
        var contentStart = _pos;
        for (var i = _source.IndexOf("{%", contentStart, StringComparison.Ordinal); i >= 0;
             i = _source.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            if (!TryMatchKeywordTag(i, "endraw", out var afterTag, out var closingSign)) continue;
            var sign = _source[i + 2] is '-' or '+' ? _source[i + 2] : '\0';
            _lineStarting = contentStart > 0 && _source[contentStart - 1] == '\n';
            EmitData(StripBeforeTag(_source[contentStart..i], sign, TagKind.Block), contentStart);
            _pos = afterTag;
            SkipAfterTag(closingSign, trimBlocks: true);
            return;
        }
        throw Error("unterminated raw block: missing '{% endraw %}'", bodyStart);
    }

    private void LexTag(int tagStart, TagKind kind, char openSign)
    {
        var isBlock = kind == TagKind.Block;
        _tokens.Add(new Token(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{",
            _positions.Line(tagStart), _positions.Column(tagStart)));
        _pos = tagStart + 2 + (openSign != '\0' ? 1 : 0);
        var depth = 0;
        while (true)
        {
            while (_pos < _source.Length && PyText.IsWhitespace(_source[_pos])) _pos++;
            if (_pos >= _source.Length) throw Error($"unexpected end of template: missing '{(isBlock ? "%}" : "}}")}'", tagStart);
            if (depth == 0 && TryLexTagEnd(isBlock)) return;

            var c = _source[_pos];
            if (c is '\'' or '"') LexString();
            else if (char.IsAsciiDigit(c)) LexNumber();
            else if (PyText.IsIdentifierStart(c)) LexName();
            else depth = LexOperator(depth);
        }
    }

    private bool TryLexTagEnd(bool isBlock)
    {
        var close = isBlock ? "%}" : "}}";
        var p = _pos;
        var sign = '\0';
        if (_source[p] is '-' or '+' && string.CompareOrdinal(_source, p + 1, close, 0, 2) == 0)
        {
            sign = _source[p];
            p++;
        }
        if (string.CompareOrdinal(_source, p, close, 0, 2) != 0) return false;
        _tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, _positions.Line(p), _positions.Column(p)));
        _pos = p + 2;
        SkipAfterTag(sign, trimBlocks: isBlock);
        return true;
    }

    private void SkipAfterTag(char sign, bool trimBlocks)
    {
        var start = _pos;
        if (sign == '-')
        {
            while (_pos < _source.Length && PyText.IsWhitespace(_source[_pos])) _pos++;
        }
        else if (sign != '+' && trimBlocks && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
        }
        _lineStarting = _pos > start && _source[_pos - 1] == '\n';
    }

    private void LexString()
    {
        var start = _pos;
        var quote = _source[_pos++];
        var raw = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length) throw Error("unterminated string literal", start);
            var c = _source[_pos++];
            if (c == quote) break;
            raw.Append(c);
            if (c == '\\' && _pos < _source.Length) raw.Append(_source[_pos++]);
        }
        var value = PyStringEscapes.Decode(raw.ToString(), message => Error(message, start));
        _tokens.Add(new Token(TokenKind.String, value, _positions.Line(start), _positions.Column(start)));
    }

    private void LexNumber()
    {
        var start = _pos;
        ReadDigits();
        var isFloat = false;
        var afterDot = start > 0 && _source[start - 1] == '.';
        if (!afterDot && _pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            _pos++;
            ReadDigits();
            isFloat = true;
        }
        if (!afterDot && _pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            var p = _pos + 1;
            if (p < _source.Length && _source[p] is '+' or '-') p++;
            if (p < _source.Length && char.IsAsciiDigit(_source[p]))
            {
                _pos = p;
                ReadDigits();
                isFloat = true;
            }
        }
        var text = _source[start.._pos].Replace("_", "", StringComparison.Ordinal);
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, _positions.Line(start), _positions.Column(start)));
    }

    private void ReadDigits()
    {
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos])
               || (_source[_pos] == '_' && _pos + 1 < _source.Length && char.IsAsciiDigit(_source[_pos + 1]))))
        {
            _pos++;
        }
    }

    private void LexName()
    {
        var start = _pos;
        while (_pos < _source.Length && PyText.IsIdentifierPart(_source[_pos])) _pos++;
        _tokens.Add(new Token(TokenKind.Name, _source[start.._pos], _positions.Line(start), _positions.Column(start)));
    }

    private int LexOperator(int depth)
    {
        var start = _pos;
        string? op = null;
        foreach (var candidate in TwoCharOperators)
        {
            if (string.CompareOrdinal(_source, _pos, candidate, 0, 2) == 0) op = candidate;
        }
        if (op is null && OneCharOperators.Contains(_source[_pos], StringComparison.Ordinal)) op = _source[_pos].ToString();
        if (op is null) throw Error($"unexpected character '{_source[_pos]}'", start);
        _pos += op.Length;
        _tokens.Add(new Token(TokenKind.Operator, op, _positions.Line(start), _positions.Column(start)));
        return op switch
        {
            "(" or "[" or "{" => depth + 1,
            ")" or "]" or "}" when depth == 0 => throw Error($"unexpected '{op}'", start),
            ")" or "]" or "}" => depth - 1,
            _ => depth,
        };
    }

    private TemplateSyntaxException Error(string message, int offset) =>
        new(message, _positions.Line(offset), _positions.Column(offset));

    /// <summary>Maps source offsets to 1-based line and column.</summary>
    private sealed class SourcePositions
    {
        private readonly List<int> _lineStarts = [0];

        public SourcePositions(string source)
        {
            for (var i = 0; i < source.Length; i++)
            {
                if (source[i] == '\n') _lineStarts.Add(i + 1);
            }
        }

        public int Line(int offset) => LineIndex(offset) + 1;

        public int Column(int offset) => offset - _lineStarts[LineIndex(offset)] + 1;

        private int LineIndex(int offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            return index >= 0 ? index : ~index - 1;
        }
    }
}
