namespace ChatEngine.Eval.Reports;

/// <summary>Writes a report into a folder: <c>NAME.md</c>, <c>NAME.html</c> and each chart as an SVG file beside them.</summary>
public static class ReportOutput
{
    public static IReadOnlyList<string> Write(ReportDocument document, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Save(string fileName, string text)
        {
            var path = Path.Combine(directory, fileName);
            File.WriteAllText(path, text);
            written.Add(path);
        }
        Save(name + ".md", MarkdownWriter.Write(document));
        Save(name + ".html", HtmlWriter.Write(document));
        foreach (var (fileName, chart) in document.Sections.SelectMany(s => s.Charts)) Save(fileName, chart.ToSvg());
        return written;
    }
}
