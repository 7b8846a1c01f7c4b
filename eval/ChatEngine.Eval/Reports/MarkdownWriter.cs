using System.Text;

namespace ChatEngine.Eval.Reports;

/// <summary>Renders a <see cref="ReportDocument"/> as GitHub Markdown; charts are linked as the SVG files written beside it.</summary>
public static class MarkdownWriter
{
    public static string Write(ReportDocument document)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(document.Title).AppendLine();
        foreach (var section in document.Sections)
        {
            md.Append("## ").AppendLine(section.Heading).AppendLine();
            foreach (var line in section.Lines) md.AppendLine(line);
            if (section.Lines.Count > 0) md.AppendLine();
            foreach (var table in section.Tables)
            {
                if (table.Caption is not null) md.Append("**").Append(table.Caption).AppendLine("**").AppendLine();
                md.Append("| ").AppendJoin(" | ", table.Headers.Select(Cell)).AppendLine(" |");
                md.Append('|').AppendJoin('|', table.Headers.Select(_ => "---")).AppendLine("|");
                foreach (var row in table.Rows) md.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
                md.AppendLine();
            }
            foreach (var (fileName, chart) in section.Charts) md.Append("![").Append(chart.Title).Append("](").Append(fileName).AppendLine(")").AppendLine();
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
