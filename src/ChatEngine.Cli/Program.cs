using System.CommandLine;
using ChatEngine.Cli;
using ChatEngine.Cli.Commands;
using ChatEngine.Eval.Commands;

var root = new RootCommand("ChatEngine: run GGUF language models in pure C#")
{
    GenerateCommand.Create(),
    ChatCommand.Create(),
    ChatCommand.CreateRun(),
    BenchCommand.Create(),
    SynthCommand.Create(),
    QuantizeCommand.Create(),
    LogitsCommand.Create(),
    PerplexityCommand.Create(),
    TokenizeCommand.Create(),
    TemplateCommand.Create(),
    ServeCommand.Create(),
    AccountCommands.Users(),
    AccountCommands.Keys(),
    PullCommand.Create(),
    ListCommand.Create(),
    RemoveCommand.Create(),
    HealthCommand.Create(),
    EvalCommand.Create(),
    LoraCommand.Create(),
    FinetuneCommand.Create(),
};
return CliErrors.Run(() => CliErrors.Invoke(root.Parse(args)));
