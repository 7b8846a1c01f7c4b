using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatEngine.Eval.Reports;

/// <summary>Renders a <see cref="ReportDocument"/> as one self-contained HTML page with the SVG charts inline.</summary>
public static partial class HtmlWriter
{
    public static string Write(ReportDocument document)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>").Append(E(document.Title)).AppendLine("</title>");
        html.AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
                        "table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}" +
                        "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto;display:block;margin:1em 0}</style>");
        html.AppendLine("</head><body>");
        html.Append("<h1>").Append(E(document.Title)).AppendLine("</h1>");
        foreach (var section in document.Sections)
        {
            html.Append("<h2>").Append(E(section.Heading)).AppendLine("</h2>");
            foreach (var line in section.Lines) html.Append("<p>").Append(Inline(line.TrimStart('-', ' '))).AppendLine("</p>");
            foreach (var table in section.Tables)
            {
                if (table.Caption is not null) html.Append("<h3>").Append(E(table.Caption)).AppendLine("</h3>");
                html.Append("<table><tr>").AppendJoin("", table.Headers.Select(h => $"<th>{E(h)}</th>")).AppendLine("</tr>");
                foreach (var row in table.Rows) html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{E(c)}</td>")).AppendLine("</tr>");
                html.AppendLine("</table>");
            }
            foreach (var (_, chart) in section.Charts) html.Append(chart.ToSvg());
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text.Replace("`", "", StringComparison.Ordinal));

    /// <summary>A report line's Markdown emphasis (<c>**bold**</c>, <c>`code`</c>) as HTML elements around escaped text.</summary>
    private static string Inline(string markdown) =>
        Code().Replace(Bold().Replace(WebUtility.HtmlEncode(markdown), "<strong>$1</strong>"), "<code>$1</code>");

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex Code();
}
