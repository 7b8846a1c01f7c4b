namespace ChatEngine.Eval.Reports.Svg;

public enum LineStyle
{
    Solid,
    Dashed,
    Dotted,
}

/// <summary>One line of a chart. A step series (a CDF) holds each value until the next point.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, LineStyle Style = LineStyle.Solid, bool Step = false);
