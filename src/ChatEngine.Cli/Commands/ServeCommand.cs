using System.CommandLine;
using ChatEngine.Server;
using ChatEngine.Web;

namespace ChatEngine.Cli.Commands;

/// <summary><c>serve -m MODEL [--host H --port P --parallel N --ctx-size C --threads T --api-key KEY --queue-limit Q --lora FILE[:SCALE]...]</c>.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var host = new Option<string>("--host") { Description = "address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var parallel = CommonOptions.Positive("--parallel", "-np", "sequences generated at the same time (slots)", 4);
        var contextSize = CommonOptions.Positive("--ctx-size", "-c", "context tokens per slot (prompt + completion)", 2048);
        var threads = CommonOptions.Threads();
        var apiKey = new Option<string?>("--api-key") { Description = "require 'Authorization: Bearer KEY' (default: open)" };
        var queueLimit = new Option<int>("--queue-limit") { Description = "requests that may wait for a slot before 429", DefaultValueFactory = _ => 64 };
        var lora = LoraOption.Create();
        var command = new Command("serve", "OpenAI-compatible HTTP server, SignalR chat hub and browser chat UI")
        {
            model, host, port, parallel, contextSize, threads, apiKey, queueLimit, lora,
        };
        command.SetAction(parse =>
        {
            var options = new ServerOptions
            {
                ModelPath = parse.GetValue(model)!.FullName,
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Parallel = parse.GetValue(parallel),
                ContextSize = parse.GetValue(contextSize),
                Threads = parse.GetValue(threads),
                ApiKey = parse.GetValue(apiKey),
                QueueLimit = parse.GetValue(queueLimit),
                LoraAdapters = parse.GetValue(lora) ?? [],
            };
            if (!File.Exists(options.ModelPath)) throw new FileNotFoundException($"model file '{options.ModelPath}' does not exist", options.ModelPath);
            var server = ChatEngineServer.Create(options, extensions: [new ChatUi()]);
            try
            {
                server.RunAsync(address => Console.Error.WriteLine($"chatengine: serving {Path.GetFileName(options.ModelPath)} on {address}")).GetAwaiter().GetResult();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        });
        return command;
    }
}
