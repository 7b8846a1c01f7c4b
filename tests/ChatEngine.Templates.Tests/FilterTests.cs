using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>Built-in filters, with jinja2's documented defaults (case-insensitive sort/unique, banker's round ...).</summary>
public sealed class FilterTests
{
    [Theory]
    [InlineData("{{ {'b':1,'a':{'c':[1,2.5,none,true]}}|tojson }}", "{\"b\": 1, \"a\": {\"c\": [1, 2.5, null, true]}}")]
    [InlineData("{{ {'b':[], 'a':{}, 'c':[1,{'x':'é\\u0001'}]}|tojson(indent=2) }}", "{\n  \"b\": [],\n  \"a\": {},\n  \"c\": [\n    1,\n    {\n      \"x\": \"é\\u0001\"\n    }\n  ]\n}")]
    [InlineData("{{ {'b':1,'a':2}|tojson(sort_keys=true) }}|{{ 'é'|tojson(ensure_ascii=true) }}|{{ [1.0, 1e22, -0.0]|tojson }}", "{\"a\": 2, \"b\": 1}|\"\\u00e9\"|[1.0, 1e+22, -0.0]")]
    [InlineData("{{ {1: 'a', true: 'c', none: 'd'}|tojson }}", "{\"1\": \"c\", \"null\": \"d\"}")]
    [InlineData("{{ {'a': [1, {'b': 2}]}|tojson(indent=4, separators=(',', ': ')) }}", "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ]\n}")]
    [InlineData("{{ '  x  '|trim }} {{ 'xxaxx'|trim('x') }} {{ 'abc'|upper|lower|capitalize }} {{ 'Hello World'|replace('o', '0') }} {{ 'a-b-c'|replace('-', '+', 1) }}", "x a Abc Hell0 W0rld a+b-c")]
    [InlineData("{{ 'hello world-foo(bar)'|title }} {{ 'hELLo wOrld'|capitalize }} {{ \"they're bill's\"|title }}", "Hello World-Foo(Bar) Hello world They're Bill's")]
    [InlineData("{{ '  a\\n b\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('--') }}", "  a\n   b\n\n  c|  a\n  b|a\n  \n  b|a\n--b")]
    [InlineData("{{ ['b','A','a','B']|unique|list }} {{ ['b','A','a','C']|sort }} {{ ['b','A','a','C']|sort(reverse=true) }} {{ ['b','A','a','C']|sort(case_sensitive=true) }}", "['b', 'A'] ['A', 'a', 'b', 'C'] ['C', 'b', 'A', 'a'] ['A', 'C', 'a', 'b']")]
    [InlineData("{{ 3.5|round }} {{ 2.5|round }} {{ 42|round }} {{ 2.567|round(2) }} {{ 2.561|round(1, 'floor') }} {{ 2.561|round(1, 'ceil') }}", "4.0 2.0 42 2.57 2.5 2.6")]
    [InlineData("{{ 'a b  c'|wordcount }} {{ [1,2,3]|batch(2)|list }} {{ [1,2,3]|batch(2, 0)|list }} {{ 5|float }} {{ '3.7'|int }} {{ 'x'|int(9) }} {{ '0x1A'|int(0, 16) }}", "3 [[1, 2], [3]] [[1, 2], [3, 0]] 5.0 3 9 26")]
    [InlineData("{{ [3,1]|max }} {{ []|sum }} {{ [1.5,2]|sum }} {{ {'b':1,'a':2}|dictsort }} {{ {'a':1}|items|list }} {{ ['b','A']|min }} {{ [{'a':2},{'a':1}]|max(attribute='a') }}", "3 0 3.5 [('a', 2), ('b', 1)] [('a', 1)] A {'a': 2}")]
    [InlineData("{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ []|first }} {{ 'abc'|first }} {{ [1,2]|join(',') }} {{ [{'n':'a'},{'n':'b'}]|join(',', attribute='n') }}", "1 3  a 1,2 a,b")]
    [InlineData("{{ [1,2,3,4]|select('odd')|list }} {{ [1,2,3,4]|reject('even')|list }} {{ [1,2,3,4]|select('divisibleby', 2)|list }} {{ [{'a':1},{'a':2},{}]|selectattr('a', 'equalto', 2)|list }} {{ [{'a':1},{'b':2}]|rejectattr('a', 'defined')|list }}", "[1, 3] [1, 3] [2, 4] [{'a': 2}] [{'b': 2}]")]
    [InlineData("{{ ['a','b']|map('upper')|list }} {{ [[1,2],[3]]|map('length')|list }} {{ [{'a':1},{}]|map(attribute='a', default=0)|list }} {{ none|map('upper')|list }}", "['A', 'B'] [2, 1] [1, 0] []")]
    [InlineData("{{ [1,[2,3]]|length }} {{ 'héllo'|length }} {{ {'a':1}|count }} {{ missing|length }} {{ 'Hello'|list }} {{ {'a':1,'b':2}|list }}", "2 5 1 0 ['H', 'e', 'l', 'l', 'o'] ['a', 'b']")]
    [InlineData("{{ [3,1,2]|sort|list }} {{ [{'a':3},{'a':1}]|sort(attribute='a') }} {{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }}", "[1, 2, 3] [{'a': 1}, {'a': 3}] [3, 2, 1] cba")]
    [InlineData("{{ missing|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|d('x') }}", "d  d None")]
    [InlineData("{{ \"<a href='x'>&</a>\"|escape }} {{ '<b>'|safe }} {{ '<b>'|safe + '<i>' }} {{ '<i>' + '<b>'|safe }} {{ 10|abs }} {{ -3|abs }}", "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; <b> <b>&lt;i&gt; &lt;i&gt;<b> 10 3")]
    [InlineData("{{ 'hello'|center(11) }}|{{ '%s and %s'|format(1, 2) }}|{{ [1,'a']|string }}", "   hello   |1 and 2|[1, 'a']")]
    public void Matches_jinja2(string source, string expected) => Assert.Equal(expected, Render(source));
}
