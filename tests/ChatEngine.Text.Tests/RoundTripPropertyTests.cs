using System.Text;
using ChatEngine.TestData;
using ChatEngine.Text.Detokenizer;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>
/// Properties over arbitrary Unicode text and arbitrary token ids. Strings are first normalised through UTF-8
/// (lone surrogates become U+FFFD), since the tokenizers work on UTF-8.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>
    /// SPM (stories260K, byte fallback for everything): Decode(Encode(s, addSpecial: false)) == s with every U+2581
    /// read back as a space (SPM's space symbol), because the added prefix space is removed again. With BOS
    /// (addSpecial: true) llama.cpp keeps that prefix space: Decode gives " " + s for non-empty s.
    /// </summary>
    [Fact]
    public void Spm_decode_of_encode_restores_the_text()
    {
        var tokenizer = LoadedTokenizers.Spm;
        Prop.ForAll(ArbitraryText(), text =>
        {
            var s = Utf8Normalised(text);
            var expected = s.Replace('\u2581', ' ');
            var plain = tokenizer.Decode(tokenizer.Encode(s, addSpecial: false));
            var withBos = tokenizer.Decode(tokenizer.Encode(s, addSpecial: true));
            return plain == expected && withBos == (s.Length == 0 ? "" : " " + expected);
        }).Check(Runs);
    }

    /// <summary>
    /// GPT-2 BPE (byte-level, every byte has a token): the concatenated pieces of Encode(s) are exactly s. (Decode
    /// additionally applies llama.cpp's clean_spaces, which is not invertible, e.g. "a ." becomes "a.".)
    /// </summary>
    [SharedFact]
    public void Bpe_pieces_of_encode_restore_the_text()
    {
        var tokenizer = LoadedTokenizers.Gpt2;
        Prop.ForAll(ArbitraryText(), text =>
        {
            var s = Utf8Normalised(text);
            return tokenizer.DecodePieces(tokenizer.Encode(s, addSpecial: false)) == s;
        }).Check(Runs);
    }

    [Fact]
    public void Spm_streaming_output_equals_one_shot_pieces_for_random_ids() =>
        StreamingEqualsOneShot(LoadedTokenizers.Spm);

    [SharedFact]
    public void Bpe_streaming_output_equals_one_shot_pieces_for_random_ids() =>
        StreamingEqualsOneShot(LoadedTokenizers.Gpt2);

    private static void StreamingEqualsOneShot(Tokenizer tokenizer)
    {
        var ids = Gen.Choose(0, tokenizer.VocabSize - 1).ArrayOf().ToArbitrary();
        Prop.ForAll(ids, sequence =>
        {
            var streaming = new StreamingDetokenizer(tokenizer);
            var builder = new StringBuilder();
            foreach (var id in sequence)
            {
                var result = streaming.Push(id);
                if (result.Stopped) return false;
                builder.Append(result.Text);
            }
            builder.Append(streaming.Flush());
            return builder.ToString() == tokenizer.DecodePieces(sequence);
        }).Check(Runs);
    }

    // Mostly ASCII with spaces, plus arbitrary UTF-16 (emoji halves, CJK, controls), so both paths get exercised.
    private static Arbitrary<string> ArbitraryText()
    {
        var asciiChar = Gen.Elements("abcdefghijklmnopqrstuvwxyzABC 0123456789.,;'!?\n\t<>/|_-\u2581".ToCharArray());
        var anyChar = Gen.Choose(0, 0xFFFF).Select(c => (char)c);
        var wideChar = Gen.Elements("é漢字🙂ñ\u00A0\u3000\u0301".ToCharArray());
        var text = Gen.Frequency((6, asciiChar), (2, anyChar), (2, wideChar)).ArrayOf().Select(chars => new string(chars));
        return text.ToArbitrary();
    }

    private static string Utf8Normalised(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));
}
