using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class LogitBiasStageTests
{
    private static readonly Dictionary<int, float> Bias = new() { [1] = 2.5f, [3] = float.NegativeInfinity, [4] = -1f };

    [Fact]
    public void AddsBiasAndBansWithNegativeInfinity()
    {
        var list = Loaded(1f, 2f, 3f, 4f, 5f);
        new LogitBiasStage(Bias, 5).Apply(list);
        Assert.Equal([1f, 4.5f, 3f, float.NegativeInfinity, 4f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void WorksOnReorderedCandidates()
    {
        var list = Loaded(1f, 2f, 3f, 4f, 5f);
        list.Sort(); // ids now 4,3,2,1,0: entry i no longer holds token i
        Assert.False(list.IsVocabularyOrder);
        new LogitBiasStage(Bias, 5).Apply(list);
        var byId = list.Items.ToArray().OrderBy(c => c.Id).Select(c => c.Logit);
        Assert.Equal([1f, 4.5f, 3f, float.NegativeInfinity, 4f], byId);
        Assert.False(list.IsSorted);
    }

    [Fact]
    public void TokenOutsideVocabulary_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogitBiasStage(new Dictionary<int, float> { [5] = 1f }, 5));
        Assert.Equal("biases", e.ParamName);
    }
}
