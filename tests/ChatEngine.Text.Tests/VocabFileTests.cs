using System.Text;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>
/// llama.cpp's test-tokenizer-0 vectors (shared/vocab/*.gguf.inp / .out): inputs separated by a
/// "\n__ggml_vocab_test__\n" line, expected ids one line per input, tokenized with add_special = false and
/// parse_special = false.
/// </summary>
public sealed class VocabFileTests
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    // WPM (BERT) is not a tokenizer ChatEngine supports; its vectors are covered by the NotSupported test below.
    private static readonly string[] UnsupportedVocabs = ["ggml-vocab-bert-bge.gguf"];

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        if (!TestPaths.HasShared)
        {
            data.Add("(../shared absent)", 0, "");
            return data;
        }
        foreach (var inp in Directory.GetFiles(TestPaths.Shared("vocab"), "*.gguf.inp").Order(StringComparer.Ordinal))
        {
            var vocab = Path.GetFileName(inp)[..^".inp".Length];
            if (UnsupportedVocabs.Contains(vocab) || !File.Exists(Path.Combine(Path.GetDirectoryName(inp)!, vocab))) continue;
            var inputs = ReadInputs(inp);
            for (var i = 0; i < inputs.Count; i++) data.Add(vocab, i, Preview(inputs[i]));
        }
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void Tokenizes_like_llama_cpp(string vocab, int index, string preview)
    {
        var path = TestPaths.Shared("vocab", vocab);
        var inputs = ReadInputs(path + ".inp");
        var expected = ReadExpected(path + ".out");
        Assert.Equal(inputs.Count, expected.Count);

        var tokenizer = LoadedTokenizers.FromFile(path);
        var actual = tokenizer.Encode(inputs[index], addSpecial: false, parseSpecial: false);

        Assert.True(expected[index].SequenceEqual(actual),
            $"{vocab} #{index} '{preview}': expected [{string.Join(' ', expected[index])}] got [{string.Join(' ', actual)}]");
    }

    [SharedFact]
    public void Wordpiece_vocabularies_are_rejected_with_a_clear_error()
    {
        using var file = Gguf.GgufFile.Open(TestPaths.Shared("vocab", "ggml-vocab-bert-bge.gguf"));
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(file.Metadata));
        Assert.Contains("'bert'", error.Message);
    }

    [SharedFact]
    public void Every_vector_file_is_either_run_or_explicitly_unsupported()
    {
        var vocabs = Directory.GetFiles(TestPaths.Shared("vocab"), "*.gguf.inp").Select(p => Path.GetFileName(p)[..^4]).ToArray();
        var run = Cases().Select(row => (string)row[0]).Distinct().ToArray();
        Assert.Equal(vocabs.Except(UnsupportedVocabs).Order(), run.Order());
        Assert.True(run.Length >= 9, $"only {run.Length} vocab files were exercised");
    }

    private static List<byte[]> ReadInputs(string path)
    {
        var raw = File.ReadAllBytes(path).AsSpan();
        var separator = Encoding.UTF8.GetBytes(Separator);
        var inputs = new List<byte[]>();
        while (!raw.IsEmpty)
        {
            var at = raw.IndexOf(separator);
            if (at < 0)
            {
                inputs.Add(raw.ToArray());
                break;
            }
            inputs.Add(raw[..at].ToArray());
            raw = raw[(at + separator.Length)..];
        }
        return inputs;
    }

    private static List<int[]> ReadExpected(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())
            .ToList();

    private static string Preview(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input).Replace("\n", "\\n").Replace("\t", "\\t");
        return text.Length > 40 ? text[..40] + "..." : text;
    }
}
