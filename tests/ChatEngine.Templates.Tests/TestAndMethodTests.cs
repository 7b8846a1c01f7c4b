using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary><c>is</c> tests and the Python str/dict/list methods templates call.</summary>
public sealed class TestAndMethodTests
{
    [Theory]
    [InlineData("{{ 3 is odd }} {{ 3 is even }} {{ 6 is divisibleby 3 }} {{ 6 is divisibleby(4) }}", "True False True False")]
    [InlineData("{{ 1 is number }} {{ true is number }} {{ 1.5 is integer }} {{ 1 is integer }} {{ 1.5 is float }}", "True True False True True")]
    [InlineData("{{ 'a' is string }} {{ none is none }} {{ {} is mapping }} {{ [] is sequence }} {{ 'a' is iterable }} {{ 1 is iterable }}", "True True True True True False")]
    [InlineData("{{ true is boolean }} {{ true is true }} {{ 0 is false }} {{ missing is undefined }} {{ missing is not defined }}", "True True False True True")]
    [InlineData("{{ 2 is eq 2 }} {{ 2 is equalto 2 }} {{ 2 is ne 3 }} {{ 'a' is lower }} {{ 'A' is upper }} {{ 1 is sameas 1 }} {{ 1 is in [1] }} {{ 1 is lt 2 }} {{ 1 is ge 2 }}", "True True True True True True True True False")]
    [InlineData("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '  a b  '.rsplit(none, 1) }}", "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a,b', 'c'] ['  a', 'b']")]
    [InlineData("{{ 'l1\\nl2\\r\\nl3'.splitlines() }} {{ 'xxhixx'.strip('x') }} {{ '  hi '.lstrip() }}|{{ '  hi '.rstrip() }}|", "['l1', 'l2', 'l3'] hi hi |  hi|")]
    [InlineData("{{ 'abc'.startswith(('x','a')) }} {{ 'abc'.endswith('bc') }} {{ 'abcabc'.find('c') }} {{ 'abcabc'.count('bc') }} {{ 'abc'.replace('b', '') }}", "True True 2 2 ac")]
    [InlineData("{{ 'a'.upper() + 'B'.lower() }} {{ 'a b'.title() }} {{ 'ab cd'.capitalize() }} {{ 'x'.join(['1','2']) }}", "Ab A B Ab cd 1x2")]
    [InlineData("{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b') }} {{ {'a': 1}.get('b', 5) }} {{ {'a': 1}.keys()|list }} {{ {'a': 1}.values()|list }} {{ [1,2,1].count(1) }} {{ [1,2,1].index(2) }}", "1 None 5 ['a'] [1] 2 1")]
    public void Matches_jinja2(string source, string expected) => Assert.Equal(expected, Render(source));
}
