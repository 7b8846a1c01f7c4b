using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary>The finetune verb as a user runs it: bad data lines stop the run or are reported one by one.</summary>
public sealed class CliFinetuneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-finetune-").FullName;

    private static string Model => Path.Combine(TestPaths.RepoRoot, "models", "stories260K.gguf");

    private static string Template => Path.Combine(TestPaths.RepoRoot, "prompts", "finetune", "template.jinja");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_bad_line_stops_the_run_with_its_file_and_line_number()
    {
        var data = Data(GoodLines(3).Append("{\"messages\": [{\"role\": \"user\", \"content\": \"no reply\"}]}").ToArray());
        var result = CliRunner.Run(Args(data, "a.gguf"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {data}:4: the conversation has no assistant message to learn from", result.Stderr.Trim());
        Assert.False(File.Exists(Path.Combine(_dir, "a.gguf")));
    }

    [Fact]
    public void Skipped_lines_are_each_reported_and_the_run_goes_on()
    {
        var data = Data([.. GoodLines(4), "{oops", .. GoodLines(2)]);
        var result = CliRunner.Run([.. Args(data, "a.gguf"), "--on-bad-line", "skip", "-e", "1"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"warning: skipped {data}:5: invalid JSON", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("skipped 1 bad line(s)", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "a.gguf")));
        Assert.Contains("<polyline", File.ReadAllText(Path.Combine(_dir, "a.loss.svg")), StringComparison.Ordinal);
    }

    private string[] Args(string data, string output) =>
        ["finetune", "-m", Model, "-d", data, "--chat-template", Template, "-o", Path.Combine(_dir, output), "-c", "64", "-a", "1",
         "--val-fraction", "0.25", "-t", "1"];

    private static IEnumerable<string> GoodLines(int count) =>
        File.ReadLines(Path.Combine(TestPaths.RepoRoot, "prompts", "finetune", "chats.jsonl")).Take(count);

    private string Data(string[] lines)
    {
        var path = Path.Combine(_dir, "data.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }
}
