using System.CommandLine;

namespace ChatEngine.Eval.Commands;

/// <summary>The <c>eval</c> verb of the <c>chatengine</c> CLI: <c>eval run</c> and <c>eval compare</c>.</summary>
public static class EvalCommand
{
    public static Command Create() => new("eval", "benchmark an OpenAI-compatible endpoint or the in-process engine, and compare results")
    {
        RunCommand.Create(),
        CompareCommand.Create(),
    };
}
