using System.CommandLine;
using ChatEngine.ModelStore;

namespace ChatEngine.Cli.Commands;

/// <summary><c>rm NAME</c>: deletes one pulled model (any name <c>list</c> shows, or OWNER/REPO:QUANT).</summary>
internal static class RemoveCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("model") { Description = "a name from 'chatengine list' (or OWNER/REPO:QUANT)" };
        var command = new Command("rm", "delete a pulled model from the local store") { name };
        command.SetAction(parse =>
        {
            var removed = LocalModelStore.FromEnvironment().Remove(parse.GetValue(name)!);
            Console.WriteLine($"removed {removed.Name}");
            return 0;
        });
        return command;
    }
}
