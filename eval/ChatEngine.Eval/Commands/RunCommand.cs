using System.CommandLine;
using System.Runtime.InteropServices;
using ChatEngine.Eval.Engine;
using ChatEngine.Eval.Http;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Runtime;
using Spectre.Console;

namespace ChatEngine.Eval.Commands;

/// <summary>
/// <c>eval run (--endpoint URL --model NAME | --engine -m MODEL) --suite FILE [--concurrency 1,4,16]
/// [--duration S | --requests N] [--out DIR]</c>: runs the suite at each concurrency level, writes result.json,
/// report.md, report.html and the SVG plots. Ctrl+C (or SIGTERM) stops cleanly and still writes what finished (exit code 130).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var endpoint = new Option<string?>("--endpoint") { Description = "OpenAI-compatible server, e.g. http://127.0.0.1:8080 (…/v1 and …/v1/chat/completions also work)" };
        var model = new Option<string?>("--model") { Description = "model name sent in requests (default with --engine: the file name)" };
        var engine = new Option<bool>("--engine") { Description = "run the model in-process (no HTTP); needs -m" };
        var modelFile = new Option<FileInfo?>("--model-file", "-m") { Description = "GGUF file: the model for --engine and --perplexity, the tokenizer for token counts when a server sends no usage" };
        var suite = new Option<FileInfo?>("--suite", "-s") { Description = "suite JSONL file (see prompts/bench); or a synthetic workload with --random-input-tokens" };
        var api = new Option<OpenAiApi>("--api") { Description = "endpoint to call: chat (/v1/chat/completions) or completions (/v1/completions, the message texts as the prompt)", DefaultValueFactory = _ => OpenAiApi.Chat };
        var randomInput = new Option<int?>("--random-input-tokens") { Description = "synthetic workload: prompts of about N tokens, each with a unique prefix (needs --random-output-tokens)" };
        var randomOutput = new Option<int?>("--random-output-tokens") { Description = "synthetic workload: exactly M output tokens per request (max_tokens + ignore_eos)" };
        var randomRange = new Option<double>("--random-range-ratio") { Description = "synthetic workload: lengths drawn uniformly from [N(1-R), N(1+R)]", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "seed of the synthetic workload", DefaultValueFactory = _ => 0 };
        var requestRate = new Option<double?>("--request-rate") { Description = "open loop: requests per second arriving as a Poisson process (seeded by --seed); each level's concurrency caps the requests in flight (default: closed loop, every worker sends its next request at once)" };
        var goodput = new Option<string?>("--goodput") { Description = "service level for goodput, e.g. ttft:500,tpot:50,e2el:3000 (ms): requests/s meeting every bound" };
        var concurrency = new Option<string>("--concurrency") { Description = "comma-separated concurrency levels", DefaultValueFactory = _ => "1" };
        var duration = new Option<double?>("--duration") { Description = "seconds per level (no new request starts after it)" };
        var requests = new Option<int?>("--requests") { Description = "requests per level (default: one pass over the suite)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "output folder (default: eval-results/SUITE-TIMESTAMP)" };
        var timeout = new Option<double>("--timeout") { Description = "seconds a request may take", DefaultValueFactory = _ => 300 };
        var apiKey = new Option<string?>("--api-key") { Description = "sent as 'Authorization: Bearer KEY'" };
        var threads = new Option<int>("--threads", "-t") { Description = "compute threads for --engine / --perplexity", DefaultValueFactory = _ => Environment.ProcessorCount };
        var contextSize = new Option<int>("--ctx-size", "-c") { Description = "context tokens per sequence with --engine", DefaultValueFactory = _ => 4096 };
        var perplexity = new Option<FileInfo?>("--perplexity") { Description = "also measure perplexity on this text file through the engine (needs -m)" };
        var perplexityContext = new Option<int>("--perplexity-ctx") { Description = "tokens per perplexity chunk", DefaultValueFactory = _ => 512 };
        var label = new Option<string?>("--label") { Description = "name of this result in reports and comparisons" };
        var warmup = new Option<int>("--warmup") { Description = "unmeasured requests sent before the first level", DefaultValueFactory = _ => 1 };
        var machine = new Option<string?>("--machine") { Description = "free-text description of the machine, stored in the result" };
        var command = new Command("run", "run a benchmark suite against an endpoint or the engine")
        {
            endpoint, model, engine, modelFile, suite, concurrency, duration, requests, output, timeout, apiKey, threads, contextSize,
            perplexity, perplexityContext, label, warmup, machine, api, randomInput, randomOutput, randomRange, seed, requestRate, goodput,
        };
        command.SetAction(parse => EvalErrors.Run(() =>
        {
            var levels = ParseLevels(parse.GetValue(concurrency)!);
            var warmupRequests = parse.GetValue(warmup) >= 0 ? parse.GetValue(warmup) : throw new ArgumentException("--warmup must be ≥ 0");
            var random = Workload(parse.GetValue(randomInput), parse.GetValue(randomOutput), parse.GetValue(randomRange), parse.GetValue(seed));
            if (random is not null && parse.GetValue(suite) is not null) throw new ArgumentException("give --suite or --random-input-tokens, not both");
            if (random is not null && parse.GetValue(requests) is null) throw new ArgumentException("a synthetic workload needs --requests N (requests per level)");
            var benchSuite = random is not null
                ? random.Build(warmupRequests + levels.Length * parse.GetValue(requests)!.Value)
                : BenchSuite.Load(parse.GetValue(suite)?.FullName ?? throw new ArgumentException("give a workload: --suite FILE or --random-input-tokens N --random-output-tokens M"));
            var modelPath = parse.GetValue(modelFile)?.FullName;
            var useEngine = parse.GetValue(engine);
            if (useEngine && modelPath is null) throw new ArgumentException("--engine needs the model file: -m MODEL.gguf");
            if (parse.GetValue(perplexity) is not null && modelPath is null) throw new ArgumentException("--perplexity needs the model file: -m MODEL.gguf");
            if (modelPath is not null && !File.Exists(modelPath)) throw new FileNotFoundException($"model file '{modelPath}' does not exist", modelPath);
            var url = parse.GetValue(endpoint);
            if (useEngine == (url is not null)) throw new ArgumentException("give exactly one target: --endpoint URL or --engine");
            var name = parse.GetValue(model) ?? (useEngine ? Path.GetFileNameWithoutExtension(modelPath!) : throw new ArgumentException("--model NAME is required with --endpoint"));
            var timeoutSeconds = parse.GetValue(timeout);
            if (timeoutSeconds <= 0) throw new ArgumentException("--timeout must be positive");
            if (useEngine && parse.GetValue(api) != OpenAiApi.Chat) throw new ArgumentException("--api applies to --endpoint only");
            var plan = new EvalPlan(benchSuite, name, levels, Budget(parse.GetValue(duration), parse.GetValue(requests), benchSuite),
                TimeSpan.FromSeconds(timeoutSeconds), parse.GetValue(label) ?? $"{name} ({(useEngine ? "engine" : "http")})", parse.GetValue(machine))
            {
                WarmupRequests = warmupRequests,
                DistinctRequestsPerLevel = random is not null,
                Arrivals = parse.GetValue(requestRate) is { } rate ? new ArrivalSchedule(rate, parse.GetValue(seed)) : null,
                ServiceLevel = parse.GetValue(goodput) is { } objective ? ServiceLevel.Parse(objective) : null,
            };
            var outDir = parse.GetValue(output)?.FullName ?? Path.GetFullPath(Path.Combine("eval-results", $"{benchSuite.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));

            using var languageModel = useEngine || parse.GetValue(perplexity) is not null ? LanguageModel.Load(modelPath!, parse.GetValue(threads)) : null;
            using IRequestTarget target = useEngine
                ? new EngineTarget(languageModel!, levels.Max(), parse.GetValue(contextSize))
                : new OpenAiChatTarget(url!, name, plan.Timeout, parse.GetValue(apiKey), modelPath, parse.GetValue(api));
            var result = RunWithCtrlC(plan, target);
            if (parse.GetValue(perplexity) is { } text && !result.Interrupted)
                result = result with { Perplexity = PerplexityReport.Measure(languageModel!, text.FullName, parse.GetValue(perplexityContext)) };

            Directory.CreateDirectory(outDir);
            var resultPath = Path.Combine(outDir, "result.json");
            ResultFile.Save(result, resultPath);
            var written = ReportOutput.Write(RunReport.Build(result), outDir, "report");
            PrintSummary(result);
            Console.Error.WriteLine($"wrote {resultPath}");
            foreach (var path in written) Console.Error.WriteLine($"wrote {path}");
            return result.Interrupted ? 130 : 0;
        }));
        return command;
    }

    /// <summary>Runs the plan; Ctrl+C (SIGINT) or SIGTERM cancels it, and the finished part is returned.</summary>
    private static EvalResult RunWithCtrlC(EvalPlan plan, IRequestTarget target)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested) Console.Error.WriteLine("stopping: cancelling the requests in flight, then writing partial results");
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return ProgressDisplay.RunAsync(plan, target, stop.Token).GetAwaiter().GetResult();
    }

    internal static int[] ParseLevels(string text)
    {
        var levels = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, out var n) && n >= 1 ? n : throw new ArgumentException($"--concurrency: '{part}' is not a whole number ≥ 1"))
            .ToArray();
        return levels.Length > 0 ? levels : throw new ArgumentException("--concurrency needs at least one level");
    }

    private static RandomWorkload? Workload(int? inputTokens, int? outputTokens, double rangeRatio, int seed)
    {
        if (inputTokens is null && outputTokens is null) return null;
        if (inputTokens is null || outputTokens is null) throw new ArgumentException("give both --random-input-tokens and --random-output-tokens");
        return new RandomWorkload(inputTokens.Value, outputTokens.Value, rangeRatio, seed);
    }

    private static RunBudget Budget(double? durationSeconds, int? requests, BenchSuite suite)
    {
        if (durationSeconds is not null && requests is not null) throw new ArgumentException("give --duration or --requests, not both");
        if (durationSeconds is { } seconds) return RunBudget.ForDuration(TimeSpan.FromSeconds(seconds));
        return RunBudget.ForRequests(requests ?? suite.Requests.Count);
    }

    private static void PrintSummary(EvalResult result)
    {
        (string Header, string Metric)[] columns =
        [
            ("req", "requests"), ("err", "errors"), ("req/s", "req/s"), ("tok/s", "output tok/s"), ("tok/s/stream", "tok/s per stream (mean)"),
            ("TTFT p50", "TTFT p50 ms"), ("TTFT p99", "TTFT p99 ms"), ("TPOT p50", "TPOT p50 ms"), ("ITL p90", "ITL p90 ms"), ("ITL max", "ITL max ms"),
        ];
        if (result.Settings.Goodput is not null) columns = [.. columns, ("good/s", "goodput req/s")];
        // Piped output has no width; the table is kept whole rather than wrapped at 80 columns.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        var metrics = columns.Select(c => LevelMetric.All.Single(m => m.Name == c.Metric)).ToArray();
        var table = new Table().AddColumn("conc");
        foreach (var (header, _) in columns) table.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
        foreach (var level in result.Levels)
            table.AddRow([level.Summary.Concurrency.ToString(), .. metrics.Select(m => m.Cell(level.Summary))]);
        AnsiConsole.Write(table);
        if (result.Interrupted) AnsiConsole.MarkupLine("[yellow]interrupted: partial results[/]");
    }
}
