using System.Diagnostics;
using System.Text.Json;
using ChatEngine.Eval.Reports;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary><c>chatengine eval run / compare</c> as processes: files written, Ctrl+C (SIGINT) handled, bad input reported.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-eval-").FullName;
    private static readonly string Model = TestPaths.Model("stories260K.gguf");
    private static readonly string ShortChat = Path.Combine(TestPaths.RepoRoot, "prompts", "bench", "short-chat.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Engine_run_writes_result_and_reports_and_compare_reads_them_back()
    {
        var a = Path.Combine(_dir, "a");
        var run = CliProcess.Run("eval", "run", "--engine", "-m", Model, "--suite", ShortChat, "--concurrency", "1,2", "--requests", "4",
            "--out", a, "-t", "1", "--perplexity", TestPaths.Golden("story.txt"), "--perplexity-ctx", "128", "--label", "first");
        Assert.True(run.ExitCode == 0, run.Stderr);
        foreach (var file in new[] { "result.json", "report.md", "report.html", "throughput.svg", "ttft-percentiles.svg", "itl-percentiles.svg", "ttft-cdf.svg" })
            Assert.True(File.Exists(Path.Combine(a, file)), $"{file} missing; stderr: {run.Stderr}");

        var result = ResultFile.Load(Path.Combine(a, "result.json"));
        Assert.Equal(("engine", "stories260K", "first"), (result.Target.Kind, result.Target.Model, result.Label));
        Assert.Equal([1, 2], result.Levels.Select(l => l.Summary.Concurrency));
        Assert.All(result.Levels, l => Assert.Equal(4, l.Summary.Succeeded));
        Assert.Equal(5.2038, result.Perplexity!.Perplexity, 0.005);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "result.json"))))
        {
            Assert.Equal("chatengine-eval-result", json.RootElement.GetProperty("schema").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("schema_version").GetInt32());
            Assert.True(json.RootElement.GetProperty("levels")[0].GetProperty("summary").GetProperty("ttft_ms").GetProperty("p99").GetDouble() > 0);
        }
        var markdown = File.ReadAllText(Path.Combine(a, "report.md"));
        Assert.Contains("![Output throughput vs concurrency](throughput.svg)", markdown, StringComparison.Ordinal);
        Assert.Contains("perplexity on `story.txt`", markdown, StringComparison.Ordinal);
        System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(a, "ttft-cdf.svg")));

        var compareDir = Path.Combine(_dir, "compare");
        var compare = CliProcess.Run("eval", "compare", Path.Combine(a, "result.json"), Path.Combine(a, "result.json"), "--out", compareDir);
        Assert.True(compare.ExitCode == 0, compare.Stderr);
        Assert.Contains("| concurrency | first #1 | first #2 |", compare.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(compareDir, "compare.html")));
        Assert.True(File.Exists(Path.Combine(compareDir, "throughput.svg")));
    }

    [Fact]
    public async Task Sigint_stops_the_run_and_writes_partial_results()
    {
        var outDir = Path.Combine(_dir, "partial");
        using var process = CliProcess.Start("eval", "run", "--engine", "-m", Model, "--suite", ShortChat, "--concurrency", "1,4",
            "--duration", "120", "--out", outDir, "-t", "1");
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync();
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) await kill.WaitForExitAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the run did not stop within 30 s of SIGINT");
        }
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {await stderr}");
        var result = ResultFile.Load(Path.Combine(outDir, "result.json"));
        Assert.True(result.Interrupted);
        var level = Assert.Single(result.Levels);
        Assert.True(level.Summary.Succeeded >= 1);
        Assert.Contains("interrupted", File.ReadAllText(Path.Combine(outDir, "report.md")), StringComparison.Ordinal);
        Assert.Contains("interrupted", await stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error: give exactly one target: --endpoint URL or --engine", "eval", "run", "--suite", "SUITE")]
    [InlineData("error: --model NAME is required with --endpoint", "eval", "run", "--endpoint", "http://127.0.0.1:1", "--suite", "SUITE")]
    [InlineData("error: --engine needs the model file", "eval", "run", "--engine", "--suite", "SUITE")]
    [InlineData("error: --concurrency: 'x' is not a whole number", "eval", "run", "--endpoint", "http://127.0.0.1:1", "--model", "m", "--suite", "SUITE", "--concurrency", "1,x")]
    [InlineData("error: give --duration or --requests, not both", "eval", "run", "--endpoint", "http://127.0.0.1:1", "--model", "m", "--suite", "SUITE", "--duration", "1", "--requests", "2")]
    [InlineData("error: --endpoint 'ftp://x' is not an http(s) URL", "eval", "run", "--endpoint", "ftp://x", "--model", "m", "--suite", "SUITE")]
    [InlineData("does not exist", "eval", "run", "--endpoint", "http://127.0.0.1:1", "--model", "m", "--suite", "/nonexistent/suite.jsonl")]
    [InlineData("short-chat.jsonl: not JSON", "eval", "compare", "SUITE")]
    public void Bad_input_is_one_error_line_and_exit_code_1(string expected, params string[] args)
    {
        var result = CliProcess.Run([.. args.Select(a => a == "SUITE" ? ShortChat : a)]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }
}
