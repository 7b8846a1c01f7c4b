using System.Text.RegularExpressions;
using ChatEngine.ModelStore.Tests;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary>
/// Long-running verbs with stdout and stderr redirected (as in a pipe or a log): no escape codes, no carriage-return
/// progress, and lines longer than 80 columns come out whole.
/// </summary>
public sealed partial class PipedOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-piped-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Synth_prints_plain_percent_lines()
    {
        var output = Path.Combine(_dir, "synth.gguf");
        var result = CliRunner.Run("synth", "--shape", "smollm2-135m", "--type", "Q4_0", "-o", output);

        AssertPlain(result);
        Assert.Equal($"wrote {output} ({new FileInfo(output).Length / (1024.0 * 1024.0):F1} MiB)", result.Stdout.Trim());
        Assert.All(Lines(result.Stderr), line => Assert.Matches(PercentLine(), line));
    }

    [Fact]
    public void Finetune_prints_whole_unwrapped_lines()
    {
        var data = Path.Combine(_dir, "data.jsonl");
        File.WriteAllLines(data, File.ReadLines(Path.Combine(TestPaths.RepoRoot, "prompts", "finetune", "chats.jsonl")).Take(4));
        var adapter = Path.Combine(_dir, "adapter-with-a-name-long-enough-to-pass-eighty-columns.gguf");
        var result = CliRunner.Run("finetune", "-m", TestPaths.Model("stories260K.gguf"), "-d", data,
            "--chat-template", Path.Combine(TestPaths.RepoRoot, "prompts", "finetune", "template.jinja"),
            "-o", adapter, "-c", "64", "-a", "1", "--val-fraction", "0.25", "-t", "1", "-e", "1");

        AssertPlain(result);
        Assert.Contains(Lines(result.Stdout), line => line.StartsWith($"adapter written to '{adapter}'", StringComparison.Ordinal)
            && line.Contains("; checkpoint '", StringComparison.Ordinal) && line.EndsWith('\''));
        Assert.Contains(Lines(result.Stdout), line => line.StartsWith("model stories260K.gguf: ", StringComparison.Ordinal)
            && line.EndsWith(" parameters", StringComparison.Ordinal));
        Assert.Matches(StepLine(), Lines(result.Stderr)[^1]);
    }

    [Fact]
    public async Task Pull_prints_byte_count_lines()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Add("karpathy/tinyllamas-GGUF", "stories260K.F32.gguf", await File.ReadAllBytesAsync(TestPaths.Model("stories260K.gguf")));
        var result = CliRunner.Run(new Dictionary<string, string?>
        {
            ["CHATENGINE_MODELS"] = _dir,
            ["HF_ENDPOINT"] = hub.Endpoint.AbsoluteUri,
            ["HF_TOKEN"] = null,
        }, "pull", "karpathy/tinyllamas-GGUF:F32");

        AssertPlain(result);
        Assert.Equal("stories260K.F32.gguf: 1,185,376 of 1,185,376 bytes", Lines(result.Stderr)[^1]);
    }

    [Fact]
    public void Eval_run_prints_plain_level_lines()
    {
        var result = CliRunner.Run("eval", "run", "--engine", "-m", TestPaths.Model("stories260K.gguf"),
            "--suite", Path.Combine(TestPaths.RepoRoot, "prompts", "bench", "short-chat.jsonl"), "--concurrency", "1", "--requests", "2",
            "--out", Path.Combine(_dir, "eval"), "-t", "1");

        AssertPlain(result);
        Assert.Contains("concurrency 1: 2 done, 0 failed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_gets_live_progress_unless_NO_COLOR_is_set()
    {
        var live = UnderTerminal(null);
        var noColor = UnderTerminal("1");

        Assert.True(live.ExitCode == 0, live.Stdout);
        Assert.Matches(@"\r +\d+% ", live.Stdout);
        Assert.True(noColor.ExitCode == 0, noColor.Stdout);
        // .NET itself switches a terminal's keypad to application mode (ESC[?1h ESC=) when it starts; nothing else may follow.
        Assert.DoesNotContain('\x1b', noColor.Stdout.Replace("\x1b[?1h\x1b=", "", StringComparison.Ordinal));
        Assert.DoesNotMatch("\r(?!\n)", noColor.Stdout); // the terminal itself turns each \n into \r\n
        Assert.Matches(@"(?m)^ *100% \S+\r$", noColor.Stdout);
    }

    /// <summary>Runs <c>synth</c> under a pseudo-terminal (util-linux <c>script</c>); its stdout is what the terminal showed.</summary>
    private CliRunner.Result UnderTerminal(string? noColor)
    {
        var output = Path.Combine(_dir, $"tty-{noColor ?? "live"}.gguf");
        var command = string.Join(' ', new[] { "dotnet", CliRunner.CliDll, "synth", "--shape", "smollm2-135m", "--type", "Q4_0", "-o", output }
            .Select(arg => $"'{arg}'"));
        var result = CliRunner.RunProgram("script", new Dictionary<string, string?> { ["NO_COLOR"] = noColor }, "-qec", command, "/dev/null");
        Assert.True(File.Exists(output), result.Stdout + result.Stderr);
        return result;
    }

    private static void AssertPlain(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (var text in new[] { result.Stdout, result.Stderr })
        {
            Assert.DoesNotContain('\x1b', text);
            Assert.DoesNotContain('\r', text);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"^ *\d{1,3}% \S+$")]
    private static partial Regex PercentLine();

    [GeneratedRegex(@"^epoch 1/1 step (\d+)/\1 loss ")]
    private static partial Regex StepLine();
}
