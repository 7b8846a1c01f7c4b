using System.Diagnostics;

namespace ChatEngine.Cli.Tests;

/// <summary>Runs the built <c>chatengine</c> CLI as a separate process, the way a user does.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    /// <summary>Runs with extra environment variables (a null value removes one).</summary>
    public static Result Run(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunProgram("dotnet", environment, [CliDll, .. args]);

    /// <summary>Runs another program (one that wraps the CLI) the same way.</summary>
    public static Result RunProgram(string program, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunProgram(program, environment, stdin: null, args);

    /// <summary>Runs the CLI with <paramref name="stdin"/> piped to it (then closed).</summary>
    public static Result RunWithInput(string stdin, params string[] args) => RunProgram("dotnet", new Dictionary<string, string?>(), stdin, [CliDll, .. args]);

    private static Result RunProgram(string program, IReadOnlyDictionary<string, string?> environment, string? stdin, string[] args)
    {
        using var process = StartProgram(program, environment, args, redirectInput: stdin is not null);
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI with stdout and stderr redirected, for a test that reads them as it runs.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        StartProgram("dotnet", environment, [CliDll, .. args]);

    /// <summary>The data directory every CLI these tests start uses unless a test names another.</summary>
    public static readonly string IsolatedDataDirectory = Path.Combine(Path.GetTempPath(), $"chatengine-cli-tests-{Environment.ProcessId}");

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "chatengine.dll");

    private static Process StartProgram(string program, IReadOnlyDictionary<string, string?> environment, string[] args, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Away from the real user's accounts: a serve that found users there would refuse the tests' requests.
        start.Environment["CHATENGINE_DATADIR"] = IsolatedDataDirectory;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
