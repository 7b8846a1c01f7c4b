using ChatEngine.Gguf;
using ChatEngine.Runtime.Model;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

/// <summary>llama 3's rope scaling: a <c>rope_freqs.weight</c> tensor divides pair i's rotary frequency by factor i.</summary>
public sealed class RopeFrequencyFactorTests : IDisposable
{
    private static readonly int[] Prompt = [1, 400, 25, 300, 7, 90, 12];
    private readonly MutatedModels _models = new();

    [Fact]
    public void Factors_of_one_change_nothing()
    {
        var pairs = RotaryPairs();
        Assert.Equal(LastLogits(_models.Write(_ => { })), LastLogits(_models.Write(_ => { }, ("rope_freqs.weight", Filled(pairs, 1f)))));
    }

    [Fact]
    public void Factors_of_two_halve_every_frequency_like_a_linear_rope_scale_of_two()
    {
        var pairs = RotaryPairs();
        var factors = LastLogits(_models.Write(_ => { }, ("rope_freqs.weight", Filled(pairs, 2f))));
        var linear = LastLogits(_models.Write(m => m.Set("llama.rope.scale_linear", new GgufValue(GgufValueType.Float32, 2f))));
        Assert.Equal(linear, factors);
        Assert.NotEqual(LastLogits(_models.Write(_ => { })), factors);
    }

    [Fact]
    public void Factors_on_some_pairs_only_change_the_result()
    {
        var pairs = RotaryPairs();
        var factors = Filled(pairs, 1f);
        for (var i = pairs / 2; i < pairs; i++) factors[i] = 8f;
        Assert.NotEqual(LastLogits(_models.Write(_ => { })), LastLogits(_models.Write(_ => { }, ("rope_freqs.weight", factors))));
    }

    [Fact]
    public void A_factor_tensor_of_the_wrong_length_is_a_format_error_naming_it()
    {
        var path = _models.Write(_ => { }, ("rope_freqs.weight", Filled(RotaryPairs() + 1, 1f)));
        var error = Assert.Throws<GgufFormatException>(() => LanguageModel.Load(path, threads: 1));
        Assert.Contains("rope_freqs.weight", error.Message);
    }

    private int RotaryPairs()
    {
        using var model = LanguageModel.Load(_models.Write(_ => { }), threads: 1);
        return model.Parameters.RopeDimensions / 2;
    }

    private static float[] LastLogits(string path)
    {
        using var model = LanguageModel.Load(path, threads: 1);
        var context = model.CreateContext(16);
        return context.Evaluate(Prompt).ToArray();
    }

    private static float[] Filled(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    public void Dispose() => _models.Dispose();
}
