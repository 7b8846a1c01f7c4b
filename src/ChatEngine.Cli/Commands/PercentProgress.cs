using ChatEngine.Eval.Commands;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// Progress of a verb that works through named items (tensors), as a whole percentage on stderr: one line rewritten in
/// place on a terminal, plain lines at most once a second (and the last) in a pipe.
/// </summary>
internal sealed class PercentProgress
{
    private readonly bool _live = ConsoleProgress.Live;
    private readonly ConsoleProgress _lines = new();
    private int _lastPercent = -1;

    public void Report(string item, double fraction)
    {
        var percent = (int)(fraction * 100);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        if (_live) Console.Error.Write($"\r{percent,3}% {item,-32}");
        else _lines.Report($"{percent,3}% {item}", percent == 100);
    }

    /// <summary>Ends the live line so that what follows starts on its own.</summary>
    public void Finish()
    {
        if (_live) Console.Error.WriteLine();
    }
}
