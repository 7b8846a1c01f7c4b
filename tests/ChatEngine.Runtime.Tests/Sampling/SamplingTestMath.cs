using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Runtime.Tests.Sampling;

/// <summary>Independent (double precision, LINQ-based) reference computations the tests compare against.</summary>
internal static class SamplingTestMath
{
    public static double[] Softmax(IReadOnlyList<float> logits)
    {
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }

    /// <summary>Logits whose softmax is exactly the given distribution (up to float rounding).</summary>
    public static float[] LogitsFor(params double[] probabilities) =>
        probabilities.Select(p => (float)Math.Log(p)).ToArray();

    public static CandidateList Loaded(params float[] logits)
    {
        var list = new CandidateList(logits.Length);
        list.Load(logits);
        return list;
    }

    public static int[] Ids(CandidateList list) => list.Items.ToArray().Select(c => c.Id).ToArray();

    /// <summary>Token ids ranked by logit descending, ties by lower id.</summary>
    public static int[] Ranked(IReadOnlyList<float> logits) =>
        Enumerable.Range(0, logits.Count).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();

    public static float[] RandomLogits(int n, int seed, float scale = 4f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }
}
