using Xunit;

namespace ChatEngine.Deploy.Tests;

public sealed class MiniYamlTests
{
    [Fact]
    public void Nested_mappings_sequences_of_mappings_flow_lists_and_comments_are_read()
    {
        var docs = MiniYaml.ParseDocuments("""
            # comment
            a: 1
            b:
              c: "x # not a comment"
              d:
                - name: one
                  port: 80
                - two
              e: ["p", "q"]
              f: {}
            ---
            z: 'quoted'
            """);

        Assert.Equal(2, docs.Count);
        Assert.Equal("1", docs[0].Text("a"));
        Assert.Equal("x # not a comment", docs[0].Text("b.c"));
        Assert.Equal("80", docs[0].Text("b.d[0].port"));
        Assert.Equal("two", docs[0].Text("b.d[1]"));
        Assert.Equal(["p", "q"], docs[0].List("b.e").Cast<string>());
        Assert.Empty(docs[0].Map("b.f"));
        Assert.Equal("quoted", docs[1].Text("z"));
    }

    [Theory]
    [InlineData("a: 1\n  b: 2")]
    [InlineData("a: 1\na: 2")]
    [InlineData("a: &anchor 1")]
    [InlineData("a: |\n  text")]
    [InlineData("just text")]
    public void Malformed_or_unsupported_yaml_fails_loudly(string text)
    {
        Assert.Throws<FormatException>(() => MiniYaml.ParseDocuments(text));
    }
}
