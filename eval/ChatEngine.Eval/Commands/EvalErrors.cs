using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Commands;

/// <summary>Suite and result-file format errors become one <c>error: ...</c> line and exit code 1, like the CLI's other user errors.</summary>
internal static class EvalErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is SuiteFormatException or ResultFormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
