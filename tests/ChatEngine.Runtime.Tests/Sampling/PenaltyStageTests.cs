using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class PenaltyStageTests
{
    [Fact]
    public void RepeatPenalty_DividesPositiveAndMultipliesNonPositiveLogits()
    {
        var stage = new PenaltyStage(lastN: 64, repeatPenalty: 2f, frequencyPenalty: 0f, presencePenalty: 0f, vocabSize: 5);
        foreach (int t in new[] { 0, 1, 2 }) stage.Accept(t);
        var list = Loaded(3f, -1.5f, 0f, 4f, -2f);
        stage.Apply(list);
        // 3/2, -1.5*2, 0*2; tokens 3 and 4 were never seen.
        Assert.Equal([1.5f, -3f, 0f, 4f, -2f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void FrequencyAndPresence_SubtractCountTimesFrequencyPlusPresence()
    {
        var stage = new PenaltyStage(lastN: 64, repeatPenalty: 1f, frequencyPenalty: 0.5f, presencePenalty: 0.25f, vocabSize: 4);
        foreach (int t in new[] { 2, 0, 2, 2 }) stage.Accept(t);
        var list = Loaded(1f, 1f, 1f, 1f);
        stage.Apply(list);
        // token 0: once -> 1 - (0.5 + 0.25); token 2: three times -> 1 - (1.5 + 0.25).
        Assert.Equal([0.25f, 1f, -0.75f, 1f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void AllThreePenalties_RepeatFirstThenSubtraction()
    {
        var stage = new PenaltyStage(lastN: 8, repeatPenalty: 1.25f, frequencyPenalty: 0.125f, presencePenalty: 0.5f, vocabSize: 3);
        foreach (int t in new[] { 0, 1, 1 }) stage.Accept(t);
        var list = Loaded(2.5f, -0.8f, 7f);
        stage.Apply(list);
        // 2.5/1.25 - (0.125 + 0.5) = 1.375; -0.8*1.25 - (0.25 + 0.5) = -1.75
        Assert.Equal(1.375f, list.Items[0].Logit, 6);
        Assert.Equal(-1.75f, list.Items[1].Logit, 6);
        Assert.Equal(7f, list.Items[2].Logit);
    }

    [Fact]
    public void OnlyTheLastNTokensCount()
    {
        var stage = new PenaltyStage(lastN: 3, repeatPenalty: 1f, frequencyPenalty: 1f, presencePenalty: 0f, vocabSize: 4);
        foreach (int t in new[] { 0, 0, 1, 2, 1 }) stage.Accept(t); // window: 1, 2, 1
        Assert.Equal(0, stage.CountInWindow(0));
        Assert.Equal(2, stage.CountInWindow(1));
        Assert.Equal(1, stage.CountInWindow(2));

        var list = Loaded(0f, 0f, 0f, 0f);
        stage.Apply(list);
        Assert.Equal([0f, -2f, -1f, 0f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void WindowMatchesLastNOverALongRandomHistory()
    {
        const int vocab = 7, lastN = 5;
        var stage = new PenaltyStage(lastN, 1f, 1f, 0f, vocab);
        var random = new Random(3);
        var history = new List<int>();
        for (int step = 0; step < 200; step++)
        {
            int t = random.Next(vocab);
            stage.Accept(t);
            history.Add(t);
            var window = history.TakeLast(lastN).ToList();
            for (int id = 0; id < vocab; id++) Assert.Equal(window.Count(w => w == id), stage.CountInWindow(id));
        }
    }

    [Fact]
    public void ReorderedCandidates_GetTheSamePenalties()
    {
        var stage = new PenaltyStage(lastN: 16, repeatPenalty: 1.5f, frequencyPenalty: 0.1f, presencePenalty: 0.2f, vocabSize: 6);
        foreach (int t in new[] { 5, 1, 5, 3 }) stage.Accept(t);
        float[] logits = [0.5f, 3f, -2f, 1.25f, 0f, 6f];

        var inOrder = Loaded(logits);
        stage.Apply(inOrder);
        var sorted = Loaded(logits);
        sorted.Sort();
        stage.Apply(sorted);

        Assert.Equal(inOrder.Items.ToArray().Select(c => c.Logit), sorted.Items.ToArray().OrderBy(c => c.Id).Select(c => c.Logit));
    }

    [Fact]
    public void ZeroWindow_RecordsNothing()
    {
        var stage = new PenaltyStage(lastN: 0, repeatPenalty: 2f, frequencyPenalty: 1f, presencePenalty: 1f, vocabSize: 3);
        stage.Accept(1);
        var list = Loaded(1f, 1f, 1f);
        stage.Apply(list);
        Assert.Equal([1f, 1f, 1f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void Reset_ForgetsHistory()
    {
        var stage = new PenaltyStage(4, 2f, 0f, 0f, 3);
        stage.Accept(0);
        stage.Accept(2);
        stage.Reset();
        Assert.Equal(0, stage.CountInWindow(0));
        stage.Accept(1);
        var list = Loaded(2f, 2f, 2f);
        stage.Apply(list);
        Assert.Equal([2f, 1f, 2f], list.Items.ToArray().Select(c => c.Logit));
    }

    [Fact]
    public void TokenOutsideVocabulary_IsRejected()
    {
        var stage = new PenaltyStage(4, 2f, 0f, 0f, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.Accept(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.Accept(-1));
    }
}
