using System.CommandLine;
using ChatEngine.Eval.Commands;
using ChatEngine.ModelStore;
using Spectre.Console;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>pull OWNER/REPO[:FILE|:QUANT] [--endpoint URL] [--revision REV]</c>: downloads a GGUF into the model store with a
/// progress bar on stderr (plain lines in a pipe); an interrupted pull resumes when run again. <c>HF_ENDPOINT</c>/<c>HF_TOKEN</c> are honoured.
/// </summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("model") { Description = "OWNER/REPO, OWNER/REPO:FILE.gguf or OWNER/REPO:QUANT (e.g. Q4_K_M)" };
        var endpoint = new Option<string>("--endpoint") { Description = $"hub URL (default: HF_ENDPOINT, else {HubOptions.DefaultEndpoint})" };
        var revision = new Option<string>("--revision") { Description = "branch, tag or commit", DefaultValueFactory = _ => "main" };
        var command = new Command("pull", "download a GGUF model from a Hugging Face-style hub into the local store") { spec, endpoint, revision };
        command.SetAction(async (parse, cancellation) =>
        {
            var model = ModelSpec.Parse(parse.GetValue(spec)!);
            var options = HubOptions.FromEnvironment() with { Revision = parse.GetValue(revision)! };
            if (parse.GetValue(endpoint) is { } url) options = options with { Endpoint = HubOptions.ParseEndpoint(url, "--endpoint") };
            var store = LocalModelStore.FromEnvironment();
            using var hub = new HubClient(options);
            var puller = new ModelPuller(hub, store);
            var result = ConsoleProgress.Live
                ? await PullWithBarAsync(puller, model, cancellation)
                : await PullWithLinesAsync(puller, model, cancellation);
            var verified = result.AlreadyStored ? "already in the store" : result.VerifiedSha256 is { } sha ? $"sha256 {sha} verified" : "no checksum announced";
            var resumed = result.ResumedFrom > 0 ? $", resumed at {result.ResumedFrom:N0} bytes" : "";
            Console.WriteLine($"{Path.GetRelativePath(store.Root, result.Path).Replace(Path.DirectorySeparatorChar, '/')} ({result.Length:N0} bytes, {verified}{resumed})");
            return 0;
        });
        return command;
    }

    private static Task<DownloadResult> PullWithBarAsync(ModelPuller puller, ModelSpec model, CancellationToken cancellation) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(context =>
            {
                ProgressTask? task = null;
                var progress = new ProgressReporter(p =>
                {
                    task ??= context.AddTask(Path.GetFileName(p.File), maxValue: p.Total ?? double.MaxValue);
                    if (p.Total is { } total) task.MaxValue = total;
                    task.Value = p.Received;
                });
                return puller.PullAsync(model, progress, cancellation);
            });

    private static Task<DownloadResult> PullWithLinesAsync(ModelPuller puller, ModelSpec model, CancellationToken cancellation)
    {
        var lines = new ConsoleProgress();
        var progress = new ProgressReporter(p => lines.Report(
            $"{Path.GetFileName(p.File)}: {p.Received:N0}{(p.Total is { } total ? $" of {total:N0}" : "")} bytes", p.Received == p.Total));
        return puller.PullAsync(model, progress, cancellation);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag behind the bar).</summary>
    private sealed class ProgressReporter(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
