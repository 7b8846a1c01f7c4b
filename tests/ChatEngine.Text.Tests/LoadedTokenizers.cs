using System.Collections.Concurrent;
using ChatEngine.Gguf;
using ChatEngine.TestData;

namespace ChatEngine.Text.Tests;

/// <summary>Tokenizers built from GGUF files, loaded once per test run.</summary>
internal static class LoadedTokenizers
{
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Cache = new(StringComparer.Ordinal);

    public static Tokenizer FromFile(string path) =>
        Cache.GetOrAdd(path, p => new Lazy<Tokenizer>(() =>
        {
            using var file = GgufFile.Open(p);
            return Tokenizer.FromGguf(file.Metadata);
        })).Value;

    /// <summary>The SPM tokenizer of stories260K (bundled, so always available).</summary>
    public static Tokenizer Spm => FromFile(TestPaths.Model("stories260K.gguf"));

    /// <summary>The GPT-2 BPE tokenizer of tiny-qwen2 (needs ../shared).</summary>
    public static Tokenizer Gpt2 => FromFile(TestPaths.Model("tiny-qwen2-F32.gguf"));
}
