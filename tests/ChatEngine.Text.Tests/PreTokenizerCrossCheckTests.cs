using System.Text;
using ChatEngine.Gguf;
using ChatEngine.TestData;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>
/// The Llama-3 pre-tokenizer is a hand-written matcher while Qwen2's identical-but-for-digits pattern runs on the
/// regex engine over collapsed text. With the GPT-2 vocabulary under both ("dbrx" = Llama-3 rules without
/// ignore_merges, "stablelm2" = Qwen2 rules), text without digits must tokenize identically, and digit runs must
/// split in threes vs. ones. This checks the two independent implementations against each other.
/// </summary>
public sealed class PreTokenizerCrossCheckTests
{
    [SharedFact]
    public void Llama3_matcher_and_qwen2_regex_agree_on_text_without_digits()
    {
        var llama3 = WithPre("dbrx");
        var qwen2 = WithPre("stablelm2");
        var chars = Gen.Frequency(
            (6, Gen.Elements("abcXYZ 'sStTreVEllmMdD\r\n\t.,!?-_()[]<>é漢🙂\u00A0\u3000\u2581\u0301".ToCharArray())),
            (1, Gen.Choose(0, 0xFFFF).Select(c => (char)c)));
        var texts = chars.ArrayOf().Select(a => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(new string(a))))
            .Where(s => !s.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) is
                System.Globalization.UnicodeCategory.DecimalDigitNumber or System.Globalization.UnicodeCategory.LetterNumber
                or System.Globalization.UnicodeCategory.OtherNumber));
        Prop.ForAll(texts.ToArbitrary(), s => llama3.Encode(s, addSpecial: false).SequenceEqual(qwen2.Encode(s, addSpecial: false)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [SharedFact]
    public void Digits_split_in_threes_for_llama3_and_singly_for_qwen2()
    {
        var llama3 = WithPre("dbrx");
        var qwen2 = WithPre("stablelm2");
        Assert.Equal(["123", "45"], llama3.Encode("12345", addSpecial: false).Select(id => llama3.TokenText(id)));
        Assert.Equal(["1", "2", "3", "4", "5"], qwen2.Encode("12345", addSpecial: false).Select(id => qwen2.TokenText(id)));
    }

    private static Tokenizer WithPre(string pre)
    {
        using var file = GgufFile.Open(TestPaths.Model("tiny-qwen2-F32.gguf"));
        var metadata = new GgufMetadata(file.Metadata);
        metadata.Set("tokenizer.ggml.pre", new GgufValue(GgufValueType.String, pre));
        return Tokenizer.FromGguf(metadata);
    }
}
