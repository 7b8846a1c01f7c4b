using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>Control structures: loops and their loop variable, scoping, set, namespace, macros, call, filter blocks.</summary>
public sealed class StatementTests
{
    [Theory]
    [InlineData("{% for a in [1,2,3] if a > 1 %}{{ loop.index }}/{{ loop.length }}{{ loop.first }}{{ loop.last }}{{ loop.revindex }}{{ loop.previtem }}{{ loop.nextitem }};{% else %}none{% endfor %}",
        "1/2TrueFalse23;2/2FalseTrue12;")]
    [InlineData("{% for a in [] %}x{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}", "0134")]
    [InlineData("{% for i in [1,2] %}{% for j in [3,4] %}{{ loop.index }}{{ i }}{{ j }}{% endfor %}{{ loop.index }};{% endfor %}", "1132141;1232242;")]
    [InlineData("{% for i in [1,2,3] %}{{ loop.cycle('a', 'b') }}{{ loop.index0 }}{% endfor %}", "a0b1a2")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;")]
    [InlineData("{% for c in 'ab' %}{{ c }}.{% endfor %}{% for k in {'x': 1} %}{{ k }}{% endfor %}{% for x in missing %}never{% endfor %}", "a.b.x")]
    // variables set inside a loop body do not leak out of it (nor into the next iteration)
    [InlineData("{% for i in [1,2] %}{% if i == 2 %}{{ x }}{% endif %}{% set x = i %}{% endfor %}[{{ x }}]", "[]")]
    [InlineData("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "2")]
    [InlineData("{% set ns = namespace(a=1, b=[]) %}{% for i in range(3) %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }}", "4")]
    [InlineData("{% set ns = namespace() %}{% set ns.x = 'v' %}{{ ns.x }}", "v")]
    [InlineData("{% set b %}  block {{ 1 }} {% endset %}[{{ b }}]", "[  block 1 ]")]
    [InlineData("{% set b | trim | upper %}  block {{ 1 }} {% endset %}[{{ b }}]", "[BLOCK 1]")]
    [InlineData("{% macro m(a, b=2, c='x') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|{{ m(1, c='z') }}|{{ m() }}", "1-2-x|1-3-x|1-2-z|-2-x")]
    [InlineData("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}", "<inner>")]
    [InlineData("{% macro wrap() %}<{{ caller(5) }}>{% endmacro %}{% call(v) wrap() %}got {{ v }}{% endcall %}", "<got 5>")]
    [InlineData("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n }}*{{ fact(n - 1) }}{% endif %}{% endmacro %}{{ fact(3) }}", "3*2*1")]
    [InlineData("{% filter upper %}hello {{ 'world' }}{% endfilter %}", "HELLO WORLD")]
    [InlineData("{% if false %}a{% elif 0 %}b{% elif 'x' %}c{% else %}d{% endif %}", "c")]
    [InlineData("{% generation %}kept{% endgeneration %}", "kept")]
    public void Matches_jinja2(string source, string expected) => Assert.Equal(expected, Render(source));
}
