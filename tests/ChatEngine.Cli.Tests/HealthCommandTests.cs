using ChatEngine.Server;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>health</c>, the container's HEALTHCHECK: 0 against a ready server, 1 when nothing answers.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_exits_zero_for_a_ready_server_and_one_when_nothing_listens()
    {
        var options = new ServerOptions { ModelPath = TestPaths.Model("stories260K.gguf"), Port = 0, Threads = 1, Parallel = 1, ContextSize = 64 };
        await using var server = ChatEngineServer.Create(options);
        await server.StartAsync();
        await server.WaitUntilReadyAsync();
        var url = new Uri(server.BaseAddress, "health").AbsoluteUri;

        var ready = CliRunner.Run("health", "--url", url);
        await server.App.StopAsync();
        var stopped = CliRunner.Run("health", "--url", url, "--timeout", "2");

        Assert.True(ready.ExitCode == 0, ready.Stderr);
        Assert.StartsWith($"{url}: 200", ready.Stdout);
        Assert.Equal(1, stopped.ExitCode);
        Assert.StartsWith($"error: {url}", stopped.Stderr);
    }
}
