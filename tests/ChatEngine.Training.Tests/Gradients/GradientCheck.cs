using Xunit;

namespace ChatEngine.Training.Tests.Gradients;

/// <summary>Central finite differences of a scalar function of float parameters, compared with an analytic gradient.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// For each index in <paramref name="indices"/>, the Richardson-extrapolated central difference (4 D(ε/2) − D(ε)) / 3,
    /// which cancels the ε² term, must match <paramref name="analytic"/> within <paramref name="tolerance"/> relative to
    /// max(1, |value|); the parameter is restored afterwards.
    /// </summary>
    public static void Verify(string name, float[] parameters, float[] analytic, Func<double> loss, IEnumerable<int>? indices = null,
        float epsilon = 2e-2f, double tolerance = 2e-3)
    {
        var checkedCount = 0;
        var nonZero = 0;
        foreach (var i in indices ?? Enumerable.Range(0, parameters.Length))
        {
            var numeric = (4 * CentralDifference(parameters, i, epsilon / 2, loss) - CentralDifference(parameters, i, epsilon, loss)) / 3;
            var error = Math.Abs(numeric - analytic[i]) / Math.Max(1, Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])));
            Assert.True(error <= tolerance, $"{name}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6} (relative error {error:G3})");
            checkedCount++;
            if (Math.Abs(numeric) > 1e-3) nonZero++;
        }
        Assert.True(checkedCount > 0, $"{name}: nothing checked");
        Assert.True(nonZero * 2 >= checkedCount, $"{name}: only {nonZero} of {checkedCount} gradients are non-zero; the check proves little");
    }

    private static double CentralDifference(float[] parameters, int i, float epsilon, Func<double> loss)
    {
        var original = parameters[i];
        parameters[i] = original + epsilon;
        var plus = loss();
        parameters[i] = original - epsilon;
        var minus = loss();
        parameters[i] = original;
        return (plus - minus) / ((double)(original + epsilon) - (original - epsilon));
    }

    /// <summary>Σ c_i y_i with fixed random weights: a loss whose gradient with respect to y is exactly c.</summary>
    public static double Project(float[] y, float[] weights, int count)
    {
        var sum = 0.0;
        for (var i = 0; i < count; i++) sum += (double)y[i] * weights[i];
        return sum;
    }
}
