using System.CommandLine;
using ChatEngine.ModelStore;

namespace ChatEngine.Cli.Commands;

/// <summary><c>list</c>: the pulled models (names usable with <c>-m</c>) and their sizes.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", $"list pulled models (store: {LocalModelStore.RootVariable}, default ~/.cache/chatengine)");
        command.SetAction(_ =>
        {
            var store = LocalModelStore.FromEnvironment();
            var models = store.List();
            Console.Error.WriteLine($"{models.Count} model(s) in {store.Root}");
            var width = models.Count == 0 ? 0 : models.Max(m => m.Name.Length);
            foreach (var model in models) Console.WriteLine($"{model.Name.PadRight(width)}  {model.Length / 1048576.0,10:F1} MiB");
            return 0;
        });
        return command;
    }
}
