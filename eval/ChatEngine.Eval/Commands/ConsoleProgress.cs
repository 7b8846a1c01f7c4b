using System.Diagnostics;
using Spectre.Console;

namespace ChatEngine.Eval.Commands;

/// <summary>
/// How a long-running verb shows progress: live (bars, carriage returns, colour) only on an interactive terminal without
/// <c>NO_COLOR</c>; otherwise plain stderr lines at most once per interval, so a pipe or log gets no escape codes,
/// carriage returns or 80-column wraps.
/// </summary>
public sealed class ConsoleProgress(TimeSpan interval)
{
    private readonly Lock _gate = new();
    private long _lastPrinted;

    public ConsoleProgress() : this(TimeSpan.FromSeconds(1)) { }

    public static bool Live =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Writes <paramref name="line"/> to stderr unless the last one was under the interval ago; a final line always goes out.</summary>
    public void Report(string line, bool final = false)
    {
        lock (_gate)
        {
            if (!final && _lastPrinted != 0 && Stopwatch.GetElapsedTime(_lastPrinted) < interval) return;
            _lastPrinted = Stopwatch.GetTimestamp();
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>A line on stdout: through Spectre when live (so it lands above the bars), else as it is, unwrapped.</summary>
    public static void WriteLine(string text)
    {
        if (Live) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }
}
