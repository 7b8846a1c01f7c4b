using ChatEngine.Eval.Reports.Svg;

namespace ChatEngine.Eval.Reports;

/// <summary>A report independent of its output format: titled sections of text lines, tables and charts.</summary>
public sealed record ReportDocument(string Title, IReadOnlyList<ReportSection> Sections);

public sealed record ReportSection(string Heading)
{
    public IReadOnlyList<string> Lines { get; init; } = [];
    public IReadOnlyList<ReportTable> Tables { get; init; } = [];

    /// <summary>Charts with the file name (<c>NAME.svg</c>) they are written to beside the Markdown.</summary>
    public IReadOnlyList<(string FileName, LineChart Chart)> Charts { get; init; } = [];
}

/// <summary>A table of already formatted cells; <see cref="Caption"/> is shown above it when set.</summary>
public sealed record ReportTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null);
