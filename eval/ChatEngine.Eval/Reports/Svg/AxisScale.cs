namespace ChatEngine.Eval.Reports.Svg;

/// <summary>
/// Maps data values to pixels along one axis, with tick values: "nice" steps (1, 2, 5 × 10^k) on a linear axis from
/// zero, or the data's own values on a log₂ axis (concurrency levels 1, 4, 16 ...).
/// </summary>
internal sealed class AxisScale
{
    private readonly double _min;
    private readonly double _max;
    private readonly bool _log;

    private AxisScale(double min, double max, bool log, IReadOnlyList<double> ticks)
    {
        _min = min;
        _max = max;
        _log = log;
        Ticks = ticks;
    }

    public IReadOnlyList<double> Ticks { get; }

    public static AxisScale Linear(IEnumerable<double> values, bool fromZero)
    {
        var data = values.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var low = fromZero ? Math.Min(0, data.Min()) : data.Min();
        var high = data.Max();
        if (high <= low) high = low + 1;
        var step = NiceStep((high - low) / 5);
        var min = Math.Floor(low / step) * step;
        var max = Math.Ceiling(high / step) * step;
        var ticks = new List<double>();
        for (var t = min; t <= max + step / 2; t += step) ticks.Add(Math.Round(t / step) * step);
        return new AxisScale(min, max, false, ticks);
    }

    public static AxisScale Log2(IEnumerable<double> values)
    {
        var ticks = values.Where(v => v > 0).Distinct().Order().ToArray();
        if (ticks.Length == 0) ticks = [1];
        var min = Math.Log2(ticks[0]);
        var max = Math.Log2(ticks[^1]);
        if (max <= min)
        {
            min -= 1;
            max += 1;
        }
        return new AxisScale(min, max, true, ticks);
    }

    /// <summary>Position of <paramref name="value"/> as a fraction of the axis length (0 at the low end).</summary>
    public double Fraction(double value)
    {
        var v = _log ? Math.Log2(value) : value;
        return (v - _min) / (_max - _min);
    }

    public static string Format(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude >= 10_000) return (value / 1000).ToString("0.#") + "k";
        if (magnitude >= 100 || value == Math.Round(value)) return value.ToString("0");
        if (magnitude >= 1) return value.ToString("0.##");
        return value.ToString("0.###");
    }

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
