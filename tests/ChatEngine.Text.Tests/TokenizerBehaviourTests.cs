using ChatEngine.Gguf;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>llama.cpp behaviours beyond the golden vectors: defaults, special-token parsing, EOG, pieces, errors.</summary>
public sealed class TokenizerBehaviourTests
{
    private static Tokenizer Spm => LoadedTokenizers.Spm;

    [Fact]
    public void Spm_defaults_apply_when_the_gguf_has_no_add_keys()
    {
        Assert.Equal(TokenizerKind.Spm, Spm.Kind);
        Assert.Equal(512, Spm.VocabSize);
        Assert.Equal(1, Spm.BosTokenId);
        Assert.Equal(2, Spm.EosTokenId);
        Assert.Equal(0, Spm.UnknownTokenId);
        Assert.Equal(-1, Spm.PaddingTokenId); // 4294967295 in the file is out of range, so no padding token
        Assert.True(Spm.AddBos);
        Assert.False(Spm.AddEos);
        Assert.True(Spm.AddSpacePrefix);
        Assert.Equal([1], Spm.Encode(""));
        Assert.Empty(Spm.Encode("", addSpecial: false));
    }

    [Fact]
    public void Control_tokens_in_text_are_plain_text_unless_special_parsing_is_asked()
    {
        var plain = Spm.Encode("<s>hi</s>", addSpecial: false);
        Assert.DoesNotContain(1, plain);
        Assert.DoesNotContain(2, plain);
        Assert.Equal("<s>hi</s>", Spm.Decode(plain));

        var parsed = Spm.Encode("<s>hi</s>", addSpecial: false, parseSpecial: true);
        Assert.Equal(1, parsed[0]);
        Assert.Equal(2, parsed[^1]);
        // Text after a special token gets the SPM prefix space again, as in llama.cpp.
        Assert.Equal(Spm.Encode("hi", addSpecial: false), parsed[1..^1]);
    }

    [Fact]
    public void End_of_generation_covers_eos_only_for_the_small_vocab()
    {
        Assert.True(Spm.IsEndOfGeneration(2));
        Assert.False(Spm.IsEndOfGeneration(1));
        Assert.Equal(-1, Spm.EotTokenId);
        Assert.Equal([2], Spm.EndOfGenerationTokens.Order());
    }

    [Fact]
    public void Pieces_and_types_follow_llama_token_to_piece()
    {
        Assert.Equal(TokenType.Control, Spm.GetTokenType(1));
        Assert.Equal(TokenType.Unknown, Spm.GetTokenType(0));
        Assert.Equal(TokenType.Byte, Spm.GetTokenType(3 + 0x0A));
        Assert.Equal("<0x0A>", Spm.TokenText(3 + 0x0A));
        Assert.Equal([(byte)'\n'], Spm.TokenToPiece(3 + 0x0A).ToArray());
        Assert.Empty(Spm.TokenToPiece(1).ToArray());
        Assert.Equal("<s>"u8.ToArray(), Spm.TokenToPiece(1, special: true).ToArray());
        var word = Spm.FindToken("\u2581the");
        Assert.True(word >= 0);
        Assert.Equal(" the"u8.ToArray(), Spm.TokenToPiece(word).ToArray());
    }

    [Fact]
    public void Decode_removes_bos_and_the_prefix_space_like_llama_detokenize()
    {
        var ids = Spm.Encode("Hello world");
        Assert.Equal(1, ids[0]);
        // With BOS removed llama.cpp keeps the prefix space; without BOS it strips it.
        Assert.Equal(" Hello world", Spm.Decode(ids));
        Assert.Equal("Hello world", Spm.Decode(ids.AsSpan(1)));
        Assert.Equal("<s> Hello world", Spm.Decode(ids, removeSpecial: false, unparseSpecial: true));
    }

    [Fact]
    public void Invalid_ids_and_unsupported_models_give_typed_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Spm.TokenToPiece(512).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Spm.Decode([5, -1]));

        var metadata = new GgufMetadata();
        metadata.Set("tokenizer.ggml.model", new GgufValue(GgufValueType.String, "rwkv"));
        Assert.Contains("rwkv", Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(metadata)).Message);

        var noModel = new GgufMetadata();
        Assert.Contains("tokenizer.ggml.model", Assert.Throws<GgufFormatException>(() => Tokenizer.FromGguf(noModel)).Message);
    }

    [Fact]
    public void Mismatched_scores_are_reported_by_key()
    {
        using var file = GgufFile.Open(TestPaths.Model("stories260K.gguf"));
        var metadata = new GgufMetadata(file.Metadata);
        metadata.Set("tokenizer.ggml.scores", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.Float32, new float[3])));
        Assert.Contains("tokenizer.ggml.scores", Assert.Throws<GgufFormatException>(() => Tokenizer.FromGguf(metadata)).Message);
    }

    [SharedFact]
    public void Gpt2_vocab_adds_no_bos_and_cleans_spaces_on_decode()
    {
        var gpt2 = LoadedTokenizers.Gpt2;
        Assert.Equal(TokenizerKind.Bpe, gpt2.Kind);
        Assert.Equal("gpt-2", gpt2.PreTokenizer);
        Assert.False(gpt2.AddBos);
        Assert.Equal(50256, gpt2.EosTokenId);
        Assert.True(gpt2.IsEndOfGeneration(50256));
        Assert.Equal(50256, gpt2.EotTokenId); // "<|endoftext|>" is detected as end of turn by its text

        var ids = gpt2.Encode("Hello , world !<|endoftext|>", parseSpecial: true);
        Assert.Equal(50256, ids[^1]);
        Assert.Equal("Hello, world!", gpt2.Decode(ids));
        Assert.Equal("Hello , world !", gpt2.DecodePieces(ids));
        Assert.DoesNotContain(50256, gpt2.Encode("<|endoftext|>"));
    }

    [SharedFact]
    public void A_100_kilobyte_text_tokenizes_the_same_as_its_parts()
    {
        // Long inputs must not change results (and must not be quadratic): sentences separated by newlines
        // tokenize independently with GPT-2's pre-tokenizer, so the whole equals the concatenated parts.
        var gpt2 = LoadedTokenizers.Gpt2;
        var story = File.ReadAllText(TestPaths.Golden("story.txt"));
        var text = string.Concat(Enumerable.Repeat(story, 100_000 / story.Length + 1));
        var whole = gpt2.Encode(text, addSpecial: false);
        var parts = text.Split('\n').SelectMany((line, i) => gpt2.Encode(i == 0 ? line : "\n" + line, addSpecial: false)).ToArray();
        Assert.Equal(parts, whole);
        Assert.Equal(text, gpt2.DecodePieces(whole));
    }
}
