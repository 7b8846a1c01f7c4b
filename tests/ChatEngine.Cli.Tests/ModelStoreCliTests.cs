using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ChatEngine.ModelStore.Tests;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>pull</c>, <c>list</c>, <c>generate -m NAME</c> and <c>rm</c> through the CLI process, against a fake hub on 127.0.0.1.</summary>
public sealed class ModelStoreCliTests : IAsyncLifetime, IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("chatengine-cli-store-").FullName;
    private FakeHub _hub = null!;
    private string _sha = "";

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _sha = _hub.Add("karpathy/tinyllamas-GGUF", "stories260K.F32.gguf", await File.ReadAllBytesAsync(TestPaths.Model("stories260K.gguf")));
    }

    private Dictionary<string, string?> Environment => new()
    {
        ["CHATENGINE_MODELS"] = _store,
        ["HF_ENDPOINT"] = _hub.Endpoint.AbsoluteUri,
        ["HF_TOKEN"] = null,
    };

    private CliRunner.Result Run(params string[] args) => CliRunner.Run(Environment, args);

    [Fact]
    public void A_pulled_model_is_listed_usable_by_name_and_removed()
    {
        var pulled = Run("pull", "karpathy/tinyllamas-GGUF:F32");
        Assert.True(pulled.ExitCode == 0, pulled.Stderr);
        Assert.Equal($"karpathy/tinyllamas-GGUF/stories260K.F32.gguf (1,185,376 bytes, sha256 {_sha} verified)", pulled.Stdout.Trim());

        var listed = Run("list");
        Assert.StartsWith("karpathy/tinyllamas-GGUF/stories260K.F32.gguf", listed.Stdout.Trim());
        Assert.Contains(_store, listed.Stderr);

        var byName = Run("generate", "-m", "stories260K.F32", "-p", "Once upon a time", "-n", "8", "--temperature", "0", "--json");
        var byPath = Run("generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once upon a time", "-n", "8", "--temperature", "0", "--json");
        Assert.True(byName.ExitCode == 0, byName.Stderr);
        Assert.Equal(Tokens(byPath.Stdout), Tokens(byName.Stdout));

        Assert.Equal("removed karpathy/tinyllamas-GGUF/stories260K.F32.gguf", Run("rm", "karpathy/tinyllamas-GGUF:F32").Stdout.Trim());
        Assert.Equal("", Run("list").Stdout.Trim());
    }

    [Fact]
    public void Pulling_a_missing_repository_is_one_clear_error()
    {
        var result = Run("pull", "nobody/nothing:Q4_K_M");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: not found on the hub:", result.Stderr);
        Assert.Contains("/api/models/nobody/nothing", result.Stderr);
    }

    [Fact]
    public void An_unknown_store_name_says_where_it_looked_and_what_the_store_holds_in_one_error_line()
    {
        var empty = Run("generate", "-m", "no-such-model", "-p", "hi");
        Assert.Equal(0, Run("pull", "karpathy/tinyllamas-GGUF:F32").ExitCode);
        var stocked = Run("generate", "-m", "no-such-model", "-p", "hi");

        Assert.Equal(1, empty.ExitCode);
        Assert.Equal([$"error: model 'no-such-model' is neither a file nor in the store ({_store}): the store is empty ('chatengine pull OWNER/REPO' fetches a model)",
            "see 'chatengine generate --help'"], Lines(empty.Stderr));
        Assert.Equal(1, stocked.ExitCode);
        Assert.Equal($"error: model 'no-such-model' is neither a file nor in the store ({_store}): the store holds karpathy/tinyllamas-GGUF/stories260K.F32.gguf",
            Lines(stocked.Stderr)[0]);
    }

    [Fact]
    public async Task Ctrl_C_during_a_pull_exits_130_with_one_line_and_the_next_pull_resumes_and_verifies()
    {
        _hub.StallNextAfter = 400_000;
        using var process = CliRunner.Start(Environment, "pull", "karpathy/tinyllamas-GGUF:F32");
        var stderr = new ConcurrentQueue<string>();
        var downloading = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            stderr.Enqueue(e.Data);
            if (e.Data.StartsWith("stories260K.F32.gguf: ", StringComparison.Ordinal)) downloading.TrySetResult();
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await downloading.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var partial = Path.Combine(_store, "karpathy", "tinyllamas-GGUF", "stories260K.F32.gguf.partial");
        Assert.True(File.Exists(partial));

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(130, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal("error: cancelled", stderr.Last());
        Assert.DoesNotContain(stderr, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal));
        var kept = new FileInfo(partial).Length;
        var resumed = Run("pull", "karpathy/tinyllamas-GGUF:F32");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal($"karpathy/tinyllamas-GGUF/stories260K.F32.gguf (1,185,376 bytes, sha256 {_sha} verified{(kept > 0 ? $", resumed at {kept:N0} bytes" : "")})",
            resumed.Stdout.Trim());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Tokens(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("tokens").GetRawText();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
