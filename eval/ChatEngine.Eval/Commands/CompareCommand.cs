using System.CommandLine;
using ChatEngine.Eval.Reports;

namespace ChatEngine.Eval.Commands;

/// <summary><c>eval compare A.json B.json ... [--out DIR]</c>: prints a side-by-side Markdown table, and writes HTML + plots to DIR.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("results") { Description = "result.json files written by 'eval run'", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "folder for compare.md, compare.html and the SVG plots" };
        var command = new Command("compare", "compare two or more eval result files side by side") { files, output };
        command.SetAction(parse => EvalErrors.Run(() =>
        {
            var results = parse.GetValue(files)!.Select(f => ResultFile.Load(f.FullName)).ToArray();
            var document = ComparisonReport.Build(results);
            Console.Write(MarkdownWriter.Write(document));
            if (parse.GetValue(output) is { } directory)
            {
                foreach (var path in ReportOutput.Write(document, directory.FullName, "compare")) Console.Error.WriteLine($"wrote {path}");
            }
            return 0;
        }));
        return command;
    }
}
