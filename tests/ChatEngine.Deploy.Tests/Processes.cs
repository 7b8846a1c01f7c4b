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

    /// <summary>Runs to completion (or kills it after <paramref name="timeout"/>) and returns the exit code and all output.</summary>
    public static (int ExitCode, string Output) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Start(start, out var output);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}:\n{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    /// <summary>Starts a process whose stdout and stderr are collected (thread-safely) into <paramref name="output"/>.</summary>
    public static Process Start(ProcessStartInfo start, out StringBuilder output)
    {
        var collected = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (collected) collected.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (collected) collected.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = collected;
        return process;
    }
}
