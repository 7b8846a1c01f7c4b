using ChatEngine.Runtime.Sampling;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class SamplingOptionsTests
{
    [Fact]
    public void Defaults_AreLlamaCppDefaults()
    {
        var o = SamplingOptions.Default;
        Assert.Equal(0.8f, o.Temperature);
        Assert.Equal(40, o.TopK);
        Assert.Equal(0.95f, o.TopP);
        Assert.Equal(0.05f, o.MinP);
        Assert.Equal(1f, o.TypicalP);
        Assert.Equal(1f, o.RepeatPenalty);
        Assert.Equal(64, o.RepeatLastN);
        Assert.Equal(0f, o.PresencePenalty);
        Assert.Equal(0f, o.FrequencyPenalty);
        Assert.Equal(0, o.MinKeep);
        Assert.Empty(o.LogitBias);
        Assert.Null(o.Seed);
        Assert.False(o.HasPenalties);
        Assert.False(o.IsGreedy);
        Assert.True(SamplingOptions.Greedy.IsGreedy);
    }

    public static TheoryData<string, Func<SamplingOptions, SamplingOptions>> InvalidOptions() => new()
    {
        { nameof(SamplingOptions.Temperature), o => o with { Temperature = -0.1f } },
        { nameof(SamplingOptions.Temperature), o => o with { Temperature = float.NaN } },
        { nameof(SamplingOptions.Temperature), o => o with { Temperature = float.PositiveInfinity } },
        { nameof(SamplingOptions.TopK), o => o with { TopK = -1 } },
        { nameof(SamplingOptions.TopP), o => o with { TopP = 0f } },
        { nameof(SamplingOptions.TopP), o => o with { TopP = 1.01f } },
        { nameof(SamplingOptions.TopP), o => o with { TopP = float.NaN } },
        { nameof(SamplingOptions.MinP), o => o with { MinP = -0.01f } },
        { nameof(SamplingOptions.MinP), o => o with { MinP = 1.5f } },
        { nameof(SamplingOptions.TypicalP), o => o with { TypicalP = 0f } },
        { nameof(SamplingOptions.TypicalP), o => o with { TypicalP = 2f } },
        { nameof(SamplingOptions.MinKeep), o => o with { MinKeep = -1 } },
        { nameof(SamplingOptions.RepeatPenalty), o => o with { RepeatPenalty = 0f } },
        { nameof(SamplingOptions.RepeatPenalty), o => o with { RepeatPenalty = float.PositiveInfinity } },
        { nameof(SamplingOptions.RepeatLastN), o => o with { RepeatLastN = -1 } },
        { nameof(SamplingOptions.PresencePenalty), o => o with { PresencePenalty = float.NaN } },
        { nameof(SamplingOptions.FrequencyPenalty), o => o with { FrequencyPenalty = float.NegativeInfinity } },
        { nameof(SamplingOptions.LogitBias), o => o with { LogitBias = new Dictionary<int, float> { [-1] = 1f } } },
        { nameof(SamplingOptions.LogitBias), o => o with { LogitBias = new Dictionary<int, float> { [3] = float.PositiveInfinity } } },
        { nameof(SamplingOptions.LogitBias), o => o with { LogitBias = new Dictionary<int, float> { [3] = float.NaN } } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidValue_ThrowsNamingTheParameter(string parameter, Func<SamplingOptions, SamplingOptions> change)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => change(SamplingOptions.Default));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void NullLogitBias_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => SamplingOptions.Default with { LogitBias = null! });
        Assert.Equal(nameof(SamplingOptions.LogitBias), e.ParamName);
    }

    [Fact]
    public void BoundaryValues_AreAccepted()
    {
        var o = new SamplingOptions
        {
            Temperature = 0f, TopK = 0, TopP = 1f, MinP = 0f, TypicalP = 1f, RepeatLastN = 0,
            LogitBias = new Dictionary<int, float> { [5] = float.NegativeInfinity, [6] = -2.5f },
        };
        Assert.True(o.IsGreedy);
        Assert.Equal(float.NegativeInfinity, o.LogitBias[5]);
        Assert.Equal(1f, (o with { MinP = 1f }).MinP);
    }

    [Fact]
    public void LogitBias_IsAnImmutableCopy()
    {
        var source = new Dictionary<int, float> { [1] = 2f };
        var o = new SamplingOptions { LogitBias = source };
        source[1] = 100f;
        source[2] = 3f;
        Assert.Equal(2f, o.LogitBias[1]);
        Assert.False(o.LogitBias.ContainsKey(2));
        Assert.IsNotType<Dictionary<int, float>>(o.LogitBias);
    }

    [Fact]
    public void HasPenalties_FollowsLlamaCppDisabledConditions()
    {
        Assert.True((SamplingOptions.Default with { RepeatPenalty = 1.1f }).HasPenalties);
        Assert.True((SamplingOptions.Default with { PresencePenalty = 0.5f }).HasPenalties);
        Assert.True((SamplingOptions.Default with { FrequencyPenalty = -0.5f }).HasPenalties);
        Assert.False((SamplingOptions.Default with { RepeatPenalty = 1.1f, RepeatLastN = 0 }).HasPenalties);
    }
}
