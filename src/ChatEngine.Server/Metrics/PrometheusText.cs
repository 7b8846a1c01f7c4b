using System.Globalization;
using System.Text;
using ChatEngine.Runtime.Serving;

namespace ChatEngine.Server.Metrics;

/// <summary>Builds a Prometheus text exposition (format 0.0.4): a <c># HELP</c> and <c># TYPE</c> line per metric
/// family, then its samples.</summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public void Counter(string name, string help, double value) => Single(name, "counter", help, value);

    public void Gauge(string name, string help, double value) => Single(name, "gauge", help, value);

    /// <summary>One family with a sample per value of <paramref name="label"/>.</summary>
    public void Labeled(string name, string type, string help, string label, IEnumerable<(string LabelValue, double Value)> samples)
    {
        Header(name, type, help);
        foreach (var (labelValue, value) in samples) Sample(name, $"{label}=\"{labelValue}\"", value);
    }

    public void Histogram(string name, string help, Histogram histogram)
    {
        var (buckets, count, sum) = histogram.Snapshot();
        Header(name, "histogram", help);
        foreach (var (bound, cumulative) in buckets) Sample($"{name}_bucket", $"le=\"{Format(bound)}\"", cumulative);
        Sample($"{name}_sum", null, sum);
        Sample($"{name}_count", null, count);
    }

    public override string ToString() => _text.ToString();

    private void Single(string name, string type, string help, double value)
    {
        Header(name, type, help);
        Sample(name, null, value);
    }

    private void Header(string name, string type, string help) =>
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private void Sample(string name, string? labels, double value)
    {
        _text.Append(name);
        if (labels is not null) _text.Append('{').Append(labels).Append('}');
        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
