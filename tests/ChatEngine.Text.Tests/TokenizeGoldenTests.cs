using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>golden/tokenize-*.json: llama-tokenize output with and without BOS, for every model file listed as identical.</summary>
public sealed class TokenizeGoldenTests
{
    public static TheoryData<string, int> SpmCases() => CaseIndices("tokenize-spm512.json");

    public static TheoryData<string, int> Gpt2Cases() => CaseIndices("tokenize-gpt2.json");

    [Theory]
    [MemberData(nameof(SpmCases))]
    public void Spm512_matches_llama_tokenize(string model, int index) => Check("tokenize-spm512.json", model, index);

    [SharedTheory]
    [MemberData(nameof(Gpt2Cases))]
    public void Gpt2_matches_llama_tokenize(string model, int index) => Check("tokenize-gpt2.json", model, index);

    [Fact]
    public void Spm512_golden_has_the_expected_shape()
    {
        var cases = Load("tokenize-spm512.json").Cases;
        Assert.True(cases.Length >= 20);
        Assert.Contains(cases, c => c.Text.Length == 0 && c.Ids.SequenceEqual([1]));
    }

    private static void Check(string golden, string model, int index)
    {
        var c = Load(golden).Cases[index];
        var tokenizer = LoadedTokenizers.FromFile(TestPaths.Model(model));

        var withSpecial = tokenizer.Encode(c.Utf8, addSpecial: true, parseSpecial: false);
        var withoutBos = tokenizer.Encode(c.Utf8, addSpecial: false, parseSpecial: false);

        Assert.True(c.Ids.SequenceEqual(withSpecial), $"'{c.Text}': expected [{string.Join(' ', c.Ids)}] got [{string.Join(' ', withSpecial)}]");
        Assert.True(c.IdsNoBos.SequenceEqual(withoutBos), $"'{c.Text}' (no BOS): expected [{string.Join(' ', c.IdsNoBos)}] got [{string.Join(' ', withoutBos)}]");
        Assert.Equal(c.Utf8, System.Text.Encoding.UTF8.GetBytes(c.Text));
        Assert.Equal(c.Ids, tokenizer.Encode(c.Text, addSpecial: true));
    }

    private static TheoryData<string, int> CaseIndices(string golden)
    {
        var data = new TheoryData<string, int>();
        if (!TestPaths.IsAvailable("golden", golden))
        {
            data.Add("(" + golden + " absent)", 0);
            return data;
        }
        var file = Load(golden);
        foreach (var model in file.Models.Where(m => TestPaths.IsAvailable("models", m)))
        {
            for (var i = 0; i < file.Cases.Length; i++) data.Add(model, i);
        }
        return data;
    }

    private static GoldenFile Load(string golden)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden(golden)));
        var root = doc.RootElement;
        var models = root.GetProperty("verified_identical_for").EnumerateArray().Select(m => m.GetString()!).ToArray();
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new GoldenCase(
            c.GetProperty("text").GetString()!,
            Convert.FromHexString(c.GetProperty("utf8_hex").GetString()!),
            c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("ids_no_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray())).ToArray();
        return new GoldenFile(models, cases);
    }

    private sealed record GoldenFile(string[] Models, GoldenCase[] Cases);

    private sealed record GoldenCase(string Text, byte[] Utf8, int[] Ids, int[] IdsNoBos);
}
