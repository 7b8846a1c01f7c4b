using System.Text;
using ChatEngine.Gguf;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>
/// Encode with literal ranges: control and unknown tokens overlapping a range stay text, everything else is
/// tokenized as llama.cpp's tokenizer_st_partition does (user-defined tokens, strip attributes).
/// </summary>
public sealed class LiteralRangeTests
{
    private static Tokenizer Spm => LoadedTokenizers.Spm;

    // stories260K plus a control "<|end|>" (512) and a user-defined "<tool>" (513), named so that llama.cpp's phi-3
    // rule gives every special token but <unk> and <s> RStrip.
    private static readonly Lazy<Tokenizer> Stripping = new(() =>
    {
        var metadata = AddedTokens.Add(TestPaths.Model("stories260K.gguf"), [("<|end|>", AddedTokens.Control), ("<tool>", AddedTokens.UserDefined)]);
        metadata.Set("general.name", new GgufValue(GgufValueType.String, "phi-3 test"));
        return Tokenizer.FromGguf(metadata);
    });

    private static int[] Encode(Tokenizer tokenizer, string text, params (string Literal, int Occurrence)[] literal)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var ranges = literal.Select(l => Range(text, l.Literal, l.Occurrence)).OrderBy(r => r.Offset).ToArray();
        return tokenizer.Encode(utf8, addSpecial: false, parseSpecial: true, ranges);
    }

    private static ByteRange Range(string text, string part, int occurrence)
    {
        var at = -1;
        for (var i = 0; i <= occurrence; i++) at = text.IndexOf(part, at + 1, StringComparison.Ordinal);
        Assert.True(at >= 0);
        return new ByteRange(Encoding.UTF8.GetByteCount(text.AsSpan(0, at)), Encoding.UTF8.GetByteCount(part));
    }

    [Fact]
    public void A_control_token_inside_a_literal_range_is_text_and_one_outside_is_its_id()
    {
        var ids = Encode(Spm, "a</s>b</s>", ("a</s>b", 0));

        Assert.Equal([.. Spm.Encode("a</s>b", addSpecial: false), 2], ids);
        Assert.Single(ids, 2);
    }

    [Fact]
    public void A_range_overlapping_only_part_of_a_control_token_keeps_it_text()
    {
        Assert.Equal(Spm.Encode("x</s>", addSpecial: false), Encode(Spm, "x</s>", ("/s", 0)));
        Assert.Equal(Spm.Encode("<s>", addSpecial: false), Encode(Spm, "<s>", ("<", 0)));
    }

    [Fact]
    public void Matches_after_a_literal_range_are_still_found()
    {
        var ids = Encode(Spm, "<s></s></s></s>", ("</s>", 1));

        Assert.Equal([1, 2, .. Spm.Encode("</s>", addSpecial: false), 2], ids);
    }

    [Fact]
    public void Ranges_over_plain_text_change_nothing()
    {
        const string text = "<s>Once upon a time</s> there was <unk> a cat</s>";

        Assert.Equal(Spm.Encode(text, addSpecial: false, parseSpecial: true), Encode(Spm, text, ("upon", 0), (" there was", 0), ("cat", 0)));
    }

    [Fact]
    public void The_unknown_token_text_is_kept_as_text_in_a_range()
    {
        var ids = Encode(Spm, "hi <unk>", ("<unk>", 0));

        Assert.DoesNotContain(0, ids);
        Assert.Equal(Spm.Encode("hi <unk>", addSpecial: false), ids);
    }

    [Fact]
    public void User_defined_tokens_match_inside_a_range_as_they_do_in_plain_text()
    {
        var tokenizer = Stripping.Value;

        var ids = Encode(tokenizer, "x<tool>y<|end|>", ("x<tool>y<|end|>", 0));

        Assert.Contains(513, ids);
        Assert.DoesNotContain(512, ids);
        Assert.Equal(tokenizer.Encode("x<tool>y<|end|>", addSpecial: false, parseSpecial: false), ids);
    }

    [Fact]
    public void A_stripping_control_token_before_a_range_swallows_its_leading_spaces_as_without_ranges()
    {
        var tokenizer = Stripping.Value;
        const string text = "<|end|>  hi";

        var ids = Encode(tokenizer, text, ("  hi", 0));

        Assert.Equal(tokenizer.Encode(text, addSpecial: false, parseSpecial: true), ids);
        Assert.Equal([512, .. tokenizer.Encode("hi", addSpecial: false)], ids);
    }

    [Fact]
    public void A_control_token_kept_as_text_strips_nothing()
    {
        var tokenizer = Stripping.Value;
        const string text = "a<|end|>  b";

        var ids = Encode(tokenizer, text, ("<|end|>", 0));

        Assert.Equal(tokenizer.Encode(text, addSpecial: false, parseSpecial: false), ids);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void Bad_ranges_are_rejected_naming_the_parameter()
    {
        var utf8 = "hello</s>"u8.ToArray();
        ByteRange[][] bad =
        [
            [new ByteRange(0, 0)],
            [new ByteRange(-1, 2)],
            [new ByteRange(5, 5)],
            [new ByteRange(3, 2), new ByteRange(0, 2)],
            [new ByteRange(0, 3), new ByteRange(2, 2)],
        ];
        foreach (var ranges in bad)
        {
            var error = Assert.Throws<ArgumentException>(() => Spm.Encode(utf8, addSpecial: false, parseSpecial: true, ranges));
            Assert.Equal("literal", error.ParamName);
        }
    }
}
