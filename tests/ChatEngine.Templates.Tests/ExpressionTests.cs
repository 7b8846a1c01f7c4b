using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>Expressions follow Python semantics and print with Python's str().</summary>
public sealed class ExpressionTests
{
    [Theory]
    [InlineData("{{ 1.0 }} {{ 1e16 }} {{ 1.5e-5 }} {{ 0.1+0.2 }} {{ -0.0 }} {{ 1/3 }}", "1.0 1e+16 1.5e-05 0.30000000000000004 -0.0 0.3333333333333333")]
    [InlineData("{{ 10/4 }} {{ 7//2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2**10 }} {{ 2**-1 }} {{ 6 // 4.0 }}", "2.5 3 -4 2 -2 1024 0.5 1.0")]
    [InlineData("{{ -1 ** 2 }} {{ 2 ** 3 ** 2 }} {{ (1 + 2) * 3 }} {{ 7 - 2 - 1 }} {{ true + 1 }}", "1 64 9 4 2")]
    [InlineData("{{ none }} {{ true }} {{ false }} {{ True }} {{ None }}", "None True False True None")]
    [InlineData("{{ ['a', \"b'c\", 'x\"y', 'z\\n'] }}", "['a', \"b'c\", 'x\"y', 'z\\n']")]
    [InlineData("{{ (1,) }} {{ (1,2) }} {{ {1:2, 'a': none, 'b': true} }} {{ () }}", "(1,) (1, 2) {1: 2, 'a': None, 'b': True} ()")]
    [InlineData("{{ 'tab\\there' }} {{ 'it\\'s' }} {{ '\\u00e9\\x41\\101' }} {{ 'a' 'b' }} {{ 1_000 }}", "tab\there it's éAA ab 1000")]
    [InlineData("{{ 'x' ~ 1 ~ none ~ 1.5 ~ [1] ~ undefined_name }}", "x1None1.5[1]")]
    [InlineData("{{ 'ab' * 3 }} {{ [1] + [2] }} {{ 'a' + 'b' }}", "ababab [1, 2] ab")]
    [InlineData("{{ not 1 == 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ [1,2] == (1,2) }} {{ [1,2] < [1,3] }}", "True True False True False True")]
    [InlineData("{{ 'a' in 'abc' }} {{ 'x' not in 'abc' }} {{ 1 in [1,2] }} {{ 'a' in {'a':1} }} {{ 1 in missing }}", "True True True True False")]
    [InlineData("{{ none or 'x' }} {{ 0 and 'y' }} {{ 'a' and 'b' }} {{ [] or {} }}", "x 0 b {}")]
    [InlineData("{{ 5 if 0 else 6 if 0 else 7 }} {{ 1 if false }}|{{ (1 if false) is defined }}", "7 |False")]
    [InlineData("{{ 'abc'[::-1] }} {{ [1,2,3][1:] }} {{ [1,2,3,4,5][::2] }} {{ [1,2,3,4,5][-2:] }} {{ [1,2,3,4,5][3:1:-1] }} {{ 'hello'[1:-1] }}", "cba [2, 3] [1, 3, 5] [4, 5] [4, 3] ell")]
    [InlineData("{{ {'a':{'b':[10,20]}}.a.b.1 }} {{ [[1,2]][0][1] }} {{ {'a':1}['a'] }} {{ [1,2][-1] }}", "20 2 1 2")]
    [InlineData("{{ '%s-%d' % ('a', 3) }} {{ '%05.1f|%-4s|' % (3.14159, 'ab') }} {{ '{}:{x}'.format(1, x=2) }}", "a-3 003.1|ab  | 1:2")]
    [InlineData("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 1, 2 %}{{ c }}", "12(1, 2)")]
    public void Matches_python(string source, string expected) => Assert.Equal(expected, Render(source));

    [Fact]
    public void Messages_keep_their_json_values()
    {
        var messages = new System.Text.Json.Nodes.JsonArray(
            System.Text.Json.Nodes.JsonNode.Parse("""{"role":"user","content":"hi","n":1.5,"i":2,"t":true,"z":null}"""));
        var rendered = ChatTemplate.Parse("{{ messages[0].n }} {{ messages[0].i }} {{ messages[0].t }} {{ messages[0].z }} {{ messages[-1]['role'] }}")
            .Render(messages);
        Assert.Equal("1.5 2 True None user", rendered);
    }
}
