using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>serve</c> stopped by SIGTERM: exit 0 when every generation finished, 3 when the shutdown timeout ended some.</summary>
public sealed class ServeShutdownCliTests
{
    [Fact]
    public async Task Sigterm_on_an_idle_server_exits_zero()
    {
        using var serve = await ServeProcess.StartAsync("--shutdown-timeout", "5");

        serve.Terminate();

        var (exitCode, stderr) = await serve.WaitForExitAsync();
        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task A_stream_cut_by_the_shutdown_timeout_ends_with_finish_reason_shutdown_and_the_exit_code_is_3()
    {
        using var serve = await ServeProcess.StartAsync("--shutdown-timeout", "0", "--ctx-size", "16384");
        using var http = new HttpClient { BaseAddress = serve.Address };
        // A long answer (end-of-sequence, token 2, banned): the timeout, not the model, ends it.
        const string body = """{"prompt":"Once upon a time","max_tokens":16000,"temperature":0,"stream":true,"logit_bias":{"2":-100}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {", await reader.ReadLineAsync());

        serve.Terminate();

        var events = (await reader.ReadToEndAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).ToList();
        var (exitCode, stderr) = await serve.WaitForExitAsync();
        Assert.Equal("data: [DONE]", events[^1]);
        var last = JsonDocument.Parse(events[^2]["data: ".Length..]).RootElement.GetProperty("choices")[0];
        Assert.Equal("shutdown", last.GetProperty("finish_reason").GetString());
        Assert.True(exitCode == 3, stderr);
        Assert.Contains("ended 1 generation(s) early", stderr);
    }

    /// <summary><c>chatengine serve</c> on stories260K at a free port, running until told to stop.</summary>
    internal sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private ServeProcess(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is null) return;
                lock (_stderr) _stderr.AppendLine(line.Data);
                const string serving = " on http://";
                var at = line.Data.IndexOf(serving, StringComparison.Ordinal);
                if (line.Data.StartsWith("chatengine: serving", StringComparison.Ordinal) && at >= 0) _address.TrySetResult(new Uri(line.Data[(at + 4)..]));
            };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public Uri Address => _address.Task.Result;

        public static async Task<ServeProcess> StartAsync(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.Environment["CHATENGINE_DATADIR"] = CliRunner.IsolatedDataDirectory;
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chatengine.dll"));
            foreach (var arg in new[] { "serve", "-m", TestPaths.Model("stories260K.gguf"), "--port", "0", "--parallel", "1", "--threads", "1" }.Concat(args))
                start.ArgumentList.Add(arg);
            var serve = new ServeProcess(Process.Start(start)!);
            await serve._address.Task.WaitAsync(TimeSpan.FromMinutes(1));
            return serve;
        }

        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<(int ExitCode, string Stderr)> WaitForExitAsync()
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            lock (_stderr) return (_process.ExitCode, _stderr.ToString());
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
