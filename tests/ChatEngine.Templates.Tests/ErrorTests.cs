using System.Text.Json.Nodes;
using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>Undefined semantics, runtime errors with positions, and constructs we reject at parse time.</summary>
public sealed class ErrorTests
{
    [Theory]
    [InlineData("{{ missing }}|{{ missing|trim }}|{{ missing|length }}|{% for x in missing %}x{% endfor %}|{{ missing is defined }}", "||0||False")]
    [InlineData("{{ none.foo }}|{{ none['foo'] }}|{{ [1][5] }}|{{ {'a':1}['b'] }}|{{ 'abc'.nope }}|{{ {'a':1}.b is defined }}", "|||||False")]
    public void Undefined_prints_empty_and_is_falsy(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ foo.bar }}", "'foo' is undefined", 1, 4)]
    [InlineData("{{ 'a' + foo }}", "'foo' is undefined", 1, 8)]
    [InlineData("line one\n{% for x in none %}{% endfor %}", "'NoneType' object is not iterable", 2, 13)]
    [InlineData("{{ none|length }}", "object of type 'NoneType' has no len()", 1, 9)]
    [InlineData("\n\n  {{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'", 3, 8)]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'", 1, 4)]
    [InlineData("{{ foo() }}", "'foo' is undefined", 1, 4)]
    [InlineData("{{ 1 // 0 }}", "ZeroDivisionError: integer division by zero", 1, 6)]
    [InlineData("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append' of 'list' object is unsafe.", 1, 20)]
    [InlineData("{{ (tools|map(attribute='x'))|tojson }}", "Object of type generator is not JSON serializable", 1, 31)]
    [InlineData("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError: maximum recursion depth exceeded in macro 'f'", 1, 19)]
    public void Runtime_errors_name_what_and_where(string source, string reason, int line, int column)
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render(source, """{"tools": []}"""));
        Assert.Equal(reason, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains($"line {line}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_carries_the_template_message_verbatim()
    {
        var template = ChatTemplate.Parse("{% if messages[0].role == 'system' %}\n  {{ raise_exception('System role not supported') }}\n{% endif %}");
        var messages = new JsonArray(JsonNode.Parse("""{"role":"system","content":"x"}"""));

        var error = Assert.Throws<TemplateRaisedException>(() => template.Render(messages));

        Assert.Equal("System role not supported", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("{% if x is string %}{{ x|from_json }}{% endif %}ok", "ok")]
    [InlineData("{% if false and x is nosuchtest %}{% endif %}{% if false %}{% elif false %}{% else %}{% endif %}ok", "ok")]
    [InlineData("{{ x|nosuchfilter if false else 'ok' }}", "ok")]
    [InlineData("{{ 'ok' if true else x|nosuchfilter }}", "ok")]
    public void Unknown_filters_and_tests_in_soft_frames_fail_only_when_evaluated(string source, string expected) =>
        Assert.Equal(expected, Render(source, """{"x": {"a": 1}}"""));

    [Theory]
    [InlineData("{% if x is mapping %}{{ x|from_json }}{% endif %}", "no filter named 'from_json'", 1, 27)]
    [InlineData("{{ x|nosuchfilter if true }}", "no filter named 'nosuchfilter'", 1, 6)]
    public void Unknown_filters_in_soft_frames_fail_when_reached(string source, string reason, int line, int column)
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render(source, """{"x": {"a": 1}}"""));
        Assert.Equal(reason, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{% include 'x.jinja' %}", "unsupported statement 'include'", 1, 4)]
    [InlineData("a\n{% extends 'base' %}", "unsupported statement 'extends'", 2, 4)]
    [InlineData("{% import 'm' as m %}", "unsupported statement 'import'", 1, 4)]
    [InlineData("{% for x in y recursive %}{% endfor %}", "unsupported construct: recursive for loop", 1, 15)]
    [InlineData("{{ x|nosuchfilter }}", "no filter named 'nosuchfilter'", 1, 6)]
    [InlineData("{{ x is nosuchtest }}", "no test named 'nosuchtest'", 1, 9)]
    [InlineData("{% if x %}{% for y in x %}{{ y|nosuchfilter }}{% endfor %}{% endif %}", "no filter named 'nosuchfilter'", 1, 32)]
    [InlineData("{% if x %}{% macro m() %}{{ x is nosuchtest }}{% endmacro %}{% endif %}", "no test named 'nosuchtest'", 1, 34)]
    [InlineData("{% if true %}x", "unexpected end of template: expected {% elif or else or endif %}", 1, 15)]
    [InlineData("{% endfor %}", "unexpected tag 'endfor'", 1, 4)]
    [InlineData("{% break %}", "'break' outside of a for loop", 1, 4)]
    [InlineData("{{ 'abc }}", "unterminated string literal", 1, 4)]
    [InlineData("{{ f(*args) }}", "unsupported construct: *args/**kwargs in a call", 1, 6)]
    [InlineData("{# never closed", "unterminated comment: missing '#}'", 1, 1)]
    [InlineData("{{ 1 + }}", "unexpected '}}'", 1, 8)]
    public void Unsupported_or_malformed_templates_fail_at_parse_with_position(string source, string reason, int line, int column)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => ChatTemplate.Parse(source));
        Assert.Equal(reason, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
    }
}
