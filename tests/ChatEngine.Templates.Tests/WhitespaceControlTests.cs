using Xunit;
using static ChatEngine.Templates.Tests.TemplateRendering;

namespace ChatEngine.Templates.Tests;

/// <summary>jinja2 whitespace handling with trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False.</summary>
public sealed class WhitespaceControlTests
{
    [Theory]
    // trim_blocks removes the newline after a block tag; lstrip_blocks the indentation before it
    [InlineData("a\n  {% if true %}\n  b\n  {% endif %}\nc\n", "a\n  b\nc")]
    [InlineData("{% for i in [1,2] %}\n  {{ i }}\n{% endfor %}\n", "  1\n  2\n")]
    // variable tags are neither trimmed nor lstripped
    [InlineData("{{ 'a' }}\n{{ 'b' }}\n", "a\nb")]
    [InlineData("  {{ 1 }}\n", "  1")]
    // '-' strips all whitespace including newlines on its side
    [InlineData("{% for i in [1,2] -%}\n  {{ i }}\n{%- endfor %}\nend\n\n", "12end\n")]
    [InlineData("x {{- \" y \" -}} z", "x y z")]
    [InlineData("{%- set x = 1 -%}  {{ x }}  {%- if true %} yes {% endif -%} !", "1 yes !")]
    // '+' disables lstrip_blocks for that tag
    [InlineData("  {%+ if true %}X{% endif %}", "  X")]
    // comments are stripped like blocks
    [InlineData("{# a #}\n{# b #}\nz", "z")]
    [InlineData("x   {#- c #}\ny", "xy")]
    // raw blocks are not parsed
    [InlineData("{% raw %}{{ not parsed }}{% endraw %}", "{{ not parsed }}")]
    [InlineData("{%- raw -%}  {{ x }}  {%- endraw -%}  tail", "{{ x }}tail")]
    // \r\n in the template source becomes \n
    [InlineData("line1\r\nline2\r\n{% if true %}\r\n  x\r\n{% endif %}\r\n", "line1\nline2\n  x\n")]
    [InlineData("{% macro f(x) -%}\n  [{{ x }}]\n{%- endmacro %}\n{{ f(1) }}\n{{ f(2) }}", "[1]\n[2]")]
    public void Matches_jinja2(string source, string expected) => Assert.Equal(expected, Render(source));

    [Fact]
    public void Only_one_trailing_newline_of_the_source_is_dropped() =>
        Assert.Equal("x\n", Render("x\n\n"));
}
