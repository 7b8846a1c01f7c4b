using ChatEngine.Text.Detokenizer;
using Xunit;

namespace ChatEngine.Text.Tests;

public sealed class StreamingDetokenizerTests
{
    private static Tokenizer Spm => LoadedTokenizers.Spm;

    [Fact]
    public void Byte_tokens_are_held_until_the_character_is_complete()
    {
        // "日" is not in the 512-token vocabulary: it is encoded as the byte tokens <0xE6> <0x97> <0xA5>.
        var ids = Spm.Encode("日", addSpecial: false);
        var bytes = ids.Where(id => Spm.GetTokenType(id) == TokenType.Byte).ToArray();
        Assert.Equal(3, bytes.Length);

        var streaming = new StreamingDetokenizer(Spm);
        var outputs = ids.Select(id => streaming.Push(id).Text).ToArray();
        Assert.Equal("", outputs[Array.IndexOf(ids, bytes[0])]);
        Assert.Equal("", outputs[Array.IndexOf(ids, bytes[1])]);
        Assert.Equal("日", outputs[Array.IndexOf(ids, bytes[2])]);
        Assert.Equal("", streaming.Flush());
    }

    [Fact]
    public void An_incomplete_character_at_the_end_becomes_a_replacement_character()
    {
        var firstHalf = Spm.Encode("日", addSpecial: false).First(id => Spm.GetTokenType(id) == TokenType.Byte);
        var streaming = new StreamingDetokenizer(Spm);
        Assert.Equal("", streaming.Push(firstHalf).Text);
        Assert.Equal("\uFFFD", streaming.Flush());
    }

    [Fact]
    public void Leading_space_of_the_first_generated_token_is_kept_like_the_server()
    {
        var ids = Spm.Encode("Once upon a time", addSpecial: false);
        var streaming = new StreamingDetokenizer(Spm);
        var text = string.Concat(ids.Select(id => streaming.Push(id).Text)) + streaming.Flush();
        Assert.Equal(" Once upon a time", text);
        Assert.Equal("Once upon a time", Spm.Decode(ids));
    }

    [Fact]
    public void Text_that_may_start_a_stop_sequence_is_held_back_and_the_stop_sequence_is_not_emitted()
    {
        var ids = Spm.Encode("Tom had a red ball.\nHe liked it.", addSpecial: false);
        var streaming = new StreamingDetokenizer(Spm, ["\nHe"]);
        var emitted = new List<string>();
        var stopped = false;
        foreach (var id in ids)
        {
            var result = streaming.Push(id);
            emitted.Add(result.Text);
            if (result.Stopped)
            {
                stopped = true;
                break;
            }
        }
        Assert.True(stopped);
        Assert.Equal(" Tom had a red ball.", string.Concat(emitted));
        Assert.DoesNotContain(emitted, e => e.Contains('\n', StringComparison.Ordinal));
        Assert.True(streaming.Stopped);
        Assert.Equal(new StreamingResult("", true), streaming.Push(ids[0]));
    }

    [Fact]
    public void Held_back_text_that_turns_out_not_to_be_a_stop_sequence_is_released()
    {
        var ids = Spm.Encode("a red ball", addSpecial: false);
        var streaming = new StreamingDetokenizer(Spm, ["red car"]);
        var text = string.Concat(ids.Select(id => streaming.Push(id).Text)) + streaming.Flush();
        Assert.Equal(" a red ball", text);
    }

    [Fact]
    public void Control_tokens_are_silent_unless_unparsed()
    {
        var plain = new StreamingDetokenizer(Spm);
        Assert.Equal("", plain.Push(Spm.EosTokenId).Text);
        var special = new StreamingDetokenizer(Spm, unparseSpecial: true);
        Assert.Equal("</s>", special.Push(Spm.EosTokenId).Text);
    }
}
