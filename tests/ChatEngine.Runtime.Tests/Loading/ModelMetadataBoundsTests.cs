using ChatEngine.Gguf;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

/// <summary>
/// Absurd hyper-parameters in a model's metadata are a <see cref="GgufFormatException"/> naming the key and the value,
/// raised before anything is sized from them (an overflowing or gigantic value used to escape as OverflowException or
/// OutOfMemoryException).
/// </summary>
public sealed class ModelMetadataBoundsTests : IDisposable
{
    private const uint MaxUInt32 = uint.MaxValue;
    private const uint MaxInt32 = int.MaxValue;
    private readonly MutatedModels _models = new();

    public void Dispose() => _models.Dispose();

    [Theory]
    [InlineData("llama.embedding_length", MaxUInt32)]
    [InlineData("llama.embedding_length", MaxInt32)]
    [InlineData("llama.embedding_length", 0u)]
    [InlineData("llama.block_count", MaxInt32)]
    [InlineData("llama.block_count", MaxUInt32)]
    [InlineData("llama.block_count", 0u)]
    [InlineData("llama.attention.head_count", MaxUInt32)]
    [InlineData("llama.attention.head_count", 0u)]
    [InlineData("llama.attention.head_count", 7u)]
    [InlineData("llama.attention.head_count_kv", MaxUInt32)]
    [InlineData("llama.attention.head_count_kv", 16u)]
    [InlineData("llama.attention.head_count_kv", 0u)]
    [InlineData("llama.feed_forward_length", MaxUInt32)]
    [InlineData("llama.feed_forward_length", MaxInt32)]
    [InlineData("llama.context_length", MaxUInt32)]
    [InlineData("llama.context_length", 0u)]
    [InlineData("llama.rope.dimension_count", 16u)]
    [InlineData("llama.rope.dimension_count", MaxUInt32)]
    [InlineData("llama.rope.dimension_count", 0u)]
    [InlineData("llama.attention.key_length", MaxUInt32)]
    [InlineData("llama.attention.key_length", 0u)]
    public void An_absurd_hyper_parameter_is_a_format_error_naming_the_key_and_the_value(string key, uint value)
    {
        var path = _models.WithUInt32(key, value);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Equal(key, error.Field);
        Assert.Contains($"{key} is {value}", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "more than 64 MiB allocated before the error");
    }

    [Fact]
    public void A_hyper_parameter_of_the_wrong_width_names_its_type_and_value()
    {
        var path = _models.Write(m => m.Set("llama.embedding_length", new GgufValue(GgufValueType.UInt64, 1UL << 40)));

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Equal("llama.embedding_length", error.Field);
        Assert.Contains($"UInt64 {1UL << 40}", error.Message);
    }

    [Fact]
    public void A_value_length_other_than_the_key_length_is_a_format_error_naming_it()
    {
        var path = _models.Write(m =>
        {
            m.Set("llama.attention.key_length", new GgufValue(GgufValueType.UInt32, 8u));
            m.Set("llama.attention.value_length", new GgufValue(GgufValueType.UInt32, 16u));
        });

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Equal("llama.attention.value_length", error.Field);
        Assert.Contains("llama.attention.value_length is 16", error.Message);
    }

    [Fact]
    public void The_head_size_is_the_key_length_where_the_file_has_one()
    {
        var path = _models.WithUInt32("llama.attention.key_length", 16);

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Contains("blk.0.attn_q.weight", error.Message);
        Assert.Contains("128", error.Message);
    }

    [Fact]
    public void A_block_count_beyond_the_tensors_in_the_file_is_refused_before_the_layers_are_sized()
    {
        var path = _models.WithUInt32("llama.block_count", 1_000_000);

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Equal("llama.block_count", error.Field);
        Assert.Contains("llama.block_count is 1000000", error.Message);
    }

    [Fact]
    public void A_feed_forward_length_the_tensors_do_not_have_is_a_shape_error_naming_the_tensor()
    {
        var path = _models.WithUInt32("llama.feed_forward_length", 1_000_000);

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Contains("blk.0.ffn_gate.weight", error.Message);
        Assert.Contains("1000000", error.Message);
    }

    [Fact]
    public void A_huge_trained_context_length_loads_and_the_cache_is_sized_from_the_requested_context()
    {
        using var model = LanguageModel.Load(_models.WithUInt32("llama.context_length", MaxInt32), threads: 1);
        var context = model.CreateContext(16);

        Assert.Equal(int.MaxValue, model.Parameters.TrainedContextLength);
        Assert.Equal(16, context.ContextSize);
        Assert.Equal(2L * model.Parameters.LayerCount * 16 * model.Parameters.KvSize * 2, context.Cache.SizeInBytes);
        Assert.Equal(model.Parameters.VocabSize, context.Evaluate([1]).Length);
    }

    [Fact]
    public void Token_arrays_of_different_lengths_are_a_format_error_naming_the_array()
    {
        var path = _models.Write(m =>
        {
            var scores = m.GetFloat32Array("tokenizer.ggml.scores");
            m.Set("tokenizer.ggml.scores", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.Float32, scores[..^1])));
        });

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Contains("tokenizer.ggml.scores", error.Message);
    }

    [Fact]
    public void A_vocabulary_smaller_than_the_embedding_matrix_is_a_shape_error_naming_the_tensor()
    {
        var path = _models.Write(m =>
        {
            foreach (var key in new[] { "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type" })
            {
                var array = m.GetArray(key);
                var shorter = Array.CreateInstance(array.Items.GetType().GetElementType()!, array.Length - 12);
                Array.Copy(array.Items, shorter, shorter.Length);
                m.Set(key, new GgufValue(GgufValueType.Array, new GgufArray(array.ElementType, shorter)));
            }
        });

        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));

        Assert.Contains("token_embd.weight", error.Message);
    }
}
