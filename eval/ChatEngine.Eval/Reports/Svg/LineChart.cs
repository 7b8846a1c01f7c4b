using System.Globalization;
using System.Security;
using System.Text;

namespace ChatEngine.Eval.Reports.Svg;

/// <summary>
/// A line chart drawn as standalone SVG (viewable on GitHub and inline in HTML): title, axes with ticks and grid,
/// one coloured line per series with point markers, a legend below the plot.
/// </summary>
public sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogX = false)
{
    private const int Width = 720;
    private const int PlotHeight = 300;
    private const int Left = 72;
    private const int Right = 24;
    private const int Top = 40;
    private const int LegendRowHeight = 18;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.Points).ToArray();
        var x = LogX ? AxisScale.Log2(points.Select(p => p.X)) : AxisScale.Linear(points.Select(p => p.X), fromZero: false);
        var y = AxisScale.Linear(points.Select(p => p.Y), fromZero: true);
        var plotWidth = Width - Left - Right;
        var legendColumns = 2;
        var legendRows = (Series.Count + legendColumns - 1) / legendColumns;
        var bottom = Top + PlotHeight;
        var height = bottom + 48 + legendRows * LegendRowHeight + 8;
        double Px(double v) => Left + x.Fraction(v) * plotWidth;
        double Py(double v) => bottom - y.Fraction(v) * PlotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(Title)}</text>\n");
        foreach (var tick in y.Ticks)
        {
            var py = N(Py(tick));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{py}\" x2=\"{Left + plotWidth}\" y2=\"{py}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{py}\" text-anchor=\"end\" dominant-baseline=\"middle\">{AxisScale.Format(tick)}</text>\n");
        }
        foreach (var tick in x.Ticks)
        {
            var px = N(Px(tick));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px}\" y1=\"{Top}\" x2=\"{px}\" y2=\"{bottom}\" stroke=\"#f0f0f0\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{px}\" y=\"{bottom + 16}\" text-anchor=\"middle\">{AxisScale.Format(tick)}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#444\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{bottom + 34}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {Top + PlotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>\n");

        for (var i = 0; i < Series.Count; i++)
        {
            var series = Series[i];
            var color = Palette[i % Palette.Length];
            var dash = series.Style switch { LineStyle.Dashed => " stroke-dasharray=\"7 4\"", LineStyle.Dotted => " stroke-dasharray=\"2 3\"", _ => "" };
            var path = Path(series, Px, Py);
            if (path.Length > 0)
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            if (!series.Step)
            {
                foreach (var (px, py) in series.Points)
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Px(px))}\" cy=\"{N(Py(py))}\" r=\"3\" fill=\"{color}\"/>\n");
            }
            var lx = Left + (i % legendColumns) * (plotWidth / legendColumns);
            var ly = bottom + 52 + (i / legendColumns) * LegendRowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 28}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 34}\" y=\"{ly}\" dominant-baseline=\"middle\">{Escape(series.Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Path(ChartSeries series, Func<double, double> px, Func<double, double> py)
    {
        var path = new StringBuilder();
        (double X, double Y)? previous = null;
        foreach (var point in series.Points)
        {
            if (series.Step && previous is { } p) path.Append(CultureInfo.InvariantCulture, $"{N(px(point.X))},{N(py(p.Y))} ");
            path.Append(CultureInfo.InvariantCulture, $"{N(px(point.X))},{N(py(point.Y))} ");
            previous = point;
        }
        return path.ToString().TrimEnd();
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);
}
