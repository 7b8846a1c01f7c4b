using ChatEngine.Gguf;
using ChatEngine.Runtime.Model;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

public sealed class ModelMetadataFuzzTests : IDisposable
{
    private static readonly string[] Keys =
    [
        "llama.embedding_length", "llama.block_count", "llama.attention.head_count", "llama.attention.head_count_kv",
        "llama.feed_forward_length", "llama.context_length", "llama.rope.dimension_count",
        "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
    ];

    private static readonly ulong[] Values =
    [
        0, 1, 2, 3, 4, 7, 8, 16, 64, 65, 172, 511, 512, 1 << 16, 1 << 24, ModelHyperParameters.MaxWidth, ModelHyperParameters.MaxWidth + 1L,
        int.MaxValue, 1UL << 31, uint.MaxValue, 1UL << 32, 1UL << 40, long.MaxValue, ulong.MaxValue,
    ];

    private readonly MutatedModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public void Hundreds_of_models_with_absurd_hyper_parameters_give_only_format_errors_with_bounded_memory()
    {
        var random = new Random(20251202);
        var loaded = 0;
        var rejected = 0;
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var changes = Enumerable.Range(0, random.Next(1, 4)).Select(_ => (Key: Keys[random.Next(Keys.Length)], Value: Encode(random))).ToList();
            var path = _models.Write(m =>
            {
                foreach (var (key, value) in changes) m.Set(key, value);
            });
            var description = string.Join(", ", changes.Select(c => $"{c.Key} = {c.Value.Type} {c.Value}"));
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var model = LanguageModel.Load(path, threads: 1);
                var context = model.CreateContext(8);
                Assert.Equal(model.Parameters.VocabSize, context.Evaluate([1, 2, 3]).Length);
                loaded++;
            }
            catch (GgufFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} ({description}) threw {e.GetType().Name}: {e.Message}");
            }
            File.Delete(path);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 << 20, $"iteration {iteration} ({description}) allocated {allocated} bytes");
        }
        Assert.True(rejected > 150 && loaded > 10, $"{rejected} rejected, {loaded} loaded: the mutations should give both");
    }

    /// <summary>Mostly uint32 values (what the keys are), sometimes a wider, signed or non-integer type.</summary>
    private static GgufValue Encode(Random random)
    {
        var value = Values[random.Next(Values.Length)];
        return random.Next(8) switch
        {
            0 => new GgufValue(GgufValueType.UInt64, value),
            1 => new GgufValue(GgufValueType.Int32, unchecked((int)value)),
            2 => new GgufValue(GgufValueType.Int64, unchecked((long)value)),
            3 => new GgufValue(GgufValueType.Float32, (float)value),
            _ => new GgufValue(GgufValueType.UInt32, unchecked((uint)value)),
        };
    }
}
