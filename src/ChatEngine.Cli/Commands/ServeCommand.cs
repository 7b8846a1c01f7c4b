using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChatEngine.Server;
using ChatEngine.Web;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>serve [-m MODEL] [--host H --port P --parallel N --ctx-size C --threads T --api-key KEY --data-dir DIR --queue-limit Q --allowed-hosts H,... --cors-origins O,... --otlp-endpoint URL --shutdown-timeout S --config FILE --lora FILE[:SCALE]...]</c>:
/// flags override <c>CHATENGINE_*</c> environment variables, which override <c>appsettings.json</c> (see <see cref="ServerConfiguration"/>).
/// Exits 0 after a shutdown in which every generation finished, <see cref="SequencesCutExitCode"/> when the shutdown
/// deadline had to end some.
/// </summary>
internal static class ServeCommand
{
    public const int SequencesCutExitCode = 3;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = $"GGUF file path or pulled model name (default: {ServerOptions.DefaultModelPath})" };
        var host = new Option<string>("--host") { Description = "address to listen on (default: 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "TCP port, 0 = any free port (default: 8080)" };
        var parallel = new Option<int?>("--parallel", "-np") { Description = "sequences generated at the same time (slots, default: 4)" };
        var contextSize = new Option<int?>("--ctx-size", "-c") { Description = "context tokens per slot: prompt + completion (default: 2048)" };
        var threads = new Option<int?>("--threads", "-t") { Description = "compute threads (default: all cores)" };
        var apiKey = new Option<string>("--api-key") { Description = "require 'Authorization: Bearer KEY' (default: open)" };
        var dataDir = CommonOptions.DataDir();
        var queueLimit = new Option<int?>("--queue-limit") { Description = "requests that may wait for a slot before 429 (default: 64)" };
        var allowedHosts = new Option<string>("--allowed-hosts") { Description = "host names the server answers to, comma-separated, * = any (default: loopback names and --host; any when --host is 0.0.0.0)" };
        var corsOrigins = new Option<string>("--cors-origins") { Description = "web origins allowed to call the API from a browser, comma-separated, * = any (default: none)" };
        var otlpEndpoint = new Option<string>("--otlp-endpoint") { Description = "export metrics, traces and logs over OTLP/HTTP to this collector, e.g. http://localhost:4318 (default: none)" };
        var shutdownTimeout = new Option<double?>("--shutdown-timeout")
        {
            Description = $"seconds a shutdown waits for running generations before ending them with finish_reason 'shutdown' (exit code {SequencesCutExitCode}; default: 30)",
        };
        var config = new Option<FileInfo>("--config") { Description = $"JSON settings file with a '{ServerConfiguration.SectionName}' section (default: ./{ServerConfiguration.DefaultSettingsFile} when present)" };
        var chatTemplateFile = new Option<string>("--chat-template-file") { Description = "Jinja chat template file used instead of the model's (default: the GGUF's, else ChatML)" };
        var contextShift = new Option<bool>("--context-shift") { Description = "when a sequence fills its context, drop the older half after the system prompt and go on (default: off, the request is refused)" };
        var slotSavePath = new Option<string>("--slot-save-path") { Description = "folder for POST /slots/{id}?action=save|restore (default: off)" };
        var cacheTypes = new CacheTypeOptions();
        var lora = LoraOption.Create();
        var command = new Command("serve", "OpenAI-compatible HTTP server, SignalR chat hub and browser chat UI")
        {
            model, host, port, parallel, contextSize, threads, apiKey, dataDir, queueLimit, allowedHosts, corsOrigins, otlpEndpoint, shutdownTimeout, config, lora, chatTemplateFile, contextShift, slotSavePath,
        };
        cacheTypes.AddTo(command);
        command.SetAction(parse =>
        {
            var flags = new Dictionary<string, string?>();
            void Flag<T>(Option<T> option, string setting)
            {
                if (parse.GetResult(option) is not null) flags[setting] = Convert.ToString(parse.GetValue(option), CultureInfo.InvariantCulture);
            }
            Flag(model, nameof(ServerOptions.ModelPath));
            Flag(host, nameof(ServerOptions.Host));
            Flag(port, nameof(ServerOptions.Port));
            Flag(parallel, nameof(ServerOptions.Parallel));
            Flag(contextSize, nameof(ServerOptions.ContextSize));
            Flag(threads, nameof(ServerOptions.Threads));
            Flag(apiKey, nameof(ServerOptions.ApiKey));
            Flag(dataDir, nameof(ServerOptions.DataDir));
            Flag(queueLimit, nameof(ServerOptions.QueueLimit));
            Flag(allowedHosts, nameof(ServerOptions.AllowedHosts));
            Flag(corsOrigins, nameof(ServerOptions.CorsOrigins));
            Flag(otlpEndpoint, nameof(ServerOptions.OtlpEndpoint));
            Flag(shutdownTimeout, nameof(ServerOptions.ShutdownTimeout));
            Flag(chatTemplateFile, nameof(ServerOptions.ChatTemplateFile));
            Flag(contextShift, nameof(ServerOptions.ContextShift));
            Flag(slotSavePath, nameof(ServerOptions.SlotSavePath));
            Flag(cacheTypes.Keys, nameof(ServerOptions.CacheTypeK));
            Flag(cacheTypes.Values, nameof(ServerOptions.CacheTypeV));
            var options = ServerConfiguration.Load(parse.GetValue(config)?.FullName, flags);
            options = options with
            {
                ModelPath = ModelLocator.Resolve(options.ModelPath),
                LoraAdapters = parse.GetValue(lora) ?? [],
                DataDir = CommonOptions.DataDirectory(options.DataDir),
            };
            if (!File.Exists(options.ModelPath)) throw new FileNotFoundException($"model file '{options.ModelPath}' does not exist", options.ModelPath);
            CheckPortIsFree(options);
            var server = ChatEngineServer.Create(options, extensions: [new ChatUi()]);
            int cut;
            try
            {
                server.RunAsync(address => Console.Error.WriteLine($"chatengine: serving {Path.GetFileName(options.ModelPath)} on {address}")).GetAwaiter().GetResult();
                cut = server.SequencesEndedByShutdown;
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            if (cut == 0) return 0;
            Console.Error.WriteLine($"chatengine: the {options.ShutdownTimeout} s shutdown timeout ended {cut} generation(s) early (finish_reason 'shutdown')");
            return SequencesCutExitCode;
        });
        return command;
    }

    /// <summary>
    /// A port in use is a user error, said in one line before the host starts (Kestrel would log a stack trace first).
    /// A name that is not an address (<c>localhost</c>) is left to Kestrel.
    /// </summary>
    private static void CheckPortIsFree(ServerOptions options)
    {
        if (options.Port == 0 || !IPAddress.TryParse(options.Host, out var address)) return;
        try
        {
            var probe = new TcpListener(address, options.Port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use" : "needs privileges this user lacks";
            throw new CliUsageException($"port {options.Port} on {options.Host} {why}; choose another with --port (or CHATENGINE_PORT)");
        }
    }
}
