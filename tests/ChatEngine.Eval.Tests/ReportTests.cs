using System.Xml.Linq;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Reports.Svg;
using Xunit;

namespace ChatEngine.Eval.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Line_chart_is_valid_svg_with_one_line_per_series_inside_the_plot()
    {
        var chart = new LineChart("T <1>", "x", "y",
        [
            new ChartSeries("up", [(1, 10), (4, 40), (16, 160)]),
            new ChartSeries("flat", [(1, 5), (4, 5), (16, 5)], LineStyle.Dashed),
            new ChartSeries("cdf", [(1, 0), (2, 0.5), (3, 1)], Step: true),
        ], LogX: true);
        var svg = XDocument.Parse(chart.ToSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var lines = svg.Descendants(ns + "polyline").ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(5, lines[2].Attribute("points")!.Value.Split(' ').Length); // step: 3 points and a corner before each later one
        var up = lines[0].Attribute("points")!.Value.Split(' ').Select(p => p.Split(',').Select(double.Parse).ToArray()).ToArray();
        Assert.Equal(3, up.Length);
        Assert.True(up[0][0] < up[1][0] && up[1][0] < up[2][0], "x grows left to right");
        Assert.Equal(up[1][0] - up[0][0], up[2][0] - up[1][0], 1); // log2 axis: 1 -> 4 and 4 -> 16 are equal steps
        Assert.True(up[0][1] > up[2][1], "larger y is higher up");
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "T <1>");
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "flat");
        Assert.Equal("7 4", lines[1].Attribute("stroke-dasharray")!.Value);
    }

    [Fact]
    public void Result_file_round_trips_and_refuses_unknown_versions()
    {
        var result = Result("x");
        var path = Path.Combine(_dir, "r.json");
        ResultFile.Save(result, path);
        var text = File.ReadAllText(path);
        Assert.Contains("\"token_source\": \"usage\"", text, StringComparison.Ordinal);
        Assert.Contains("\"ttft_ms\": {", text, StringComparison.Ordinal);
        var back = ResultFile.Load(path);
        Assert.Equal(4, back.Levels[0].Summary.TtftMs.P50);
        Assert.Equal(result.CreatedUtc, back.CreatedUtc);
        Assert.Equal([6.0], back.Levels[0].Requests[0].ItlMs);

        File.WriteAllText(path, text.Replace("\"schema_version\": 1", "\"schema_version\": 99", StringComparison.Ordinal));
        var error = Assert.Throws<ResultFormatException>(() => ResultFile.Load(path));
        Assert.Contains("schema_version 99 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comparison_html_shows_labels_as_escaped_text_without_markdown_markers()
    {
        var html = HtmlWriter.Write(ComparisonReport.Build([Result("stories260K (engine)"), Result("<script>alert(1)</script>")]));

        Assert.Contains("<p><strong>stories260K (engine)</strong>: http <code>http://h/v1/chat/completions</code>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("**", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    private static EvalResult Result(string label) => new()
    {
        Label = label,
        CreatedUtc = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Target = new TargetInfo("http", "http://h/v1/chat/completions", "m"),
        Suite = new SuiteInfo("s", "s.jsonl", new string('a', 64), 1),
        Settings = new RunSettings([1], 1, null, 30, 1),
        Machine = new MachineInfo("linux", 2, "box"),
        Levels =
        [
            new LevelResult(LevelSummary.From(1, 1, [new RequestResult { RequestId = "r", E2eMs = 10, TtftMs = 4, ItlMs = [6], CompletionTokens = 2, TokenSource = TokenSource.Usage }]),
                [new RequestResult { RequestId = "r", E2eMs = 10, TtftMs = 4, ItlMs = [6], CompletionTokens = 2, TokenSource = TokenSource.Usage }]),
        ],
    };
}
