using ChatEngine.TestData;
using ChatEngine.Text.Detokenizer;
using Xunit;

namespace ChatEngine.Text.Tests;

/// <summary>
/// golden/nexttok-*.json: the server's generated_text must equal the pieces of generated_ids, both one-shot and
/// through the streaming detokenizer, and the prompt must tokenize to prompt_ids.
/// </summary>
public sealed class GeneratedTextGoldenTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dir in new[] { TestPaths.SharedDir is null ? null : Path.Combine(TestPaths.SharedDir, "golden"), Path.Combine(TestPaths.BundledDir, "golden") })
        {
            if (dir is null || !Directory.Exists(dir)) continue;
            foreach (var file in Directory.GetFiles(dir, "nexttok-*.json")) names.Add(Path.GetFileName(file));
        }
        foreach (var name in names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Generated_text_is_the_concatenated_pieces(string goldenFile)
    {
        var golden = NextTokenGolden.Load(goldenFile);
        var tokenizer = LoadedTokenizers.FromFile(TestPaths.Model(golden.Model));
        Assert.Equal(3, golden.Runs.Count);

        foreach (var run in golden.Runs)
        {
            Assert.Equal(run.PromptIds, tokenizer.Encode(run.Prompt, addSpecial: true));
            Assert.Equal(run.GeneratedText, tokenizer.DecodePieces(run.GeneratedIds));

            var streaming = new StreamingDetokenizer(tokenizer);
            var streamed = string.Concat(run.GeneratedIds.Select(id => streaming.Push(id).Text)) + streaming.Flush();
            Assert.Equal(run.GeneratedText, streamed);
        }
    }
}
