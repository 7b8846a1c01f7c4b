using System.Diagnostics;
using System.Text;

namespace ChatEngine.Deploy.Tests;

/// <summary>Runs commands the way a Docker build step or a container would, keeping their output for failure messages.</summary>
internal static class Processes
{
    public static ProcessStartInfo Command(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    /// <summary>Runs to completion (or kills it after <paramref name="timeout"/>): the exit code, all output (stdout and
    /// stderr in arrival order, for failure messages) and stdout alone (what a test may assert on: the two streams race).</summary>
    public static ProcessResult Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Start(start, out var output, out var stdout);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}:\n{output}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.ToString(), stdout.ToString());
    }

    /// <summary>Starts a process whose stdout and stderr are collected (thread-safely) into <paramref name="output"/>.</summary>
    public static Process Start(ProcessStartInfo start, out StringBuilder output) => Start(start, out output, out _);

    private static Process Start(ProcessStartInfo start, out StringBuilder output, out StringBuilder stdout)
    {
        var collected = new StringBuilder();
        var standardOutput = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            lock (collected)
            {
                collected.AppendLine(e.Data);
                standardOutput.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (collected) collected.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = collected;
        stdout = standardOutput;
        return process;
    }
}

internal sealed record ProcessResult(int ExitCode, string Output, string Stdout)
{
    public void Deconstruct(out int exitCode, out string output) => (exitCode, output) = (ExitCode, Output);
}
