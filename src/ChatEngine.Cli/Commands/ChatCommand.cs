using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Serving;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>chat -m MODEL</c>: an interactive conversation on the terminal (Ollama's <c>run</c>, llama.cpp's
/// <c>llama-cli -cnv</c>). Each line read from stdin is a user turn; the answer streams to stdout and a stats line goes
/// to stderr. Turns run on the serving engine, so the next turn reuses the cached conversation instead of evaluating
/// it again. Works the same with piped stdin (one turn per line, ends at end of input).
/// </summary>
internal static class ChatCommand
{
    private const string Help = "/system TEXT sets the system prompt, /clear forgets the conversation, \"\"\" starts and ends a message of several lines, /bye (or end of input) quits, Ctrl+C stops an answer";

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var command = new Command("chat", "chat with a model on the terminal (" + Help + ")") { model };
        var session = new SessionOptions(command);
        command.SetAction(parse => session.Run(parse, parse.GetValue(model)!.FullName, prompt: null));
        return command;
    }

    /// <summary><c>run MODEL [PROMPT]</c> (Ollama's verb): answers PROMPT and exits, or chats when none is given.</summary>
    public static Command CreateRun()
    {
        var model = new Argument<string>("MODEL") { Description = "GGUF file path, or a pulled model's name (see 'chatengine list')" };
        var prompt = new Argument<string?>("PROMPT") { Description = "one message to answer (none: chat on the terminal)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("run", "answer one prompt, or chat when none is given") { model, prompt };
        var session = new SessionOptions(command);
        command.SetAction(parse => session.Run(parse, ModelLocator.Resolve(parse.GetValue(model)!), parse.GetValue(prompt)));
        return command;
    }

    /// <summary>The options <c>chat</c> and <c>run</c> share, and the session they start.</summary>
    private sealed class SessionOptions
    {
        private readonly Option<string?> _system = new("--system") { Description = "system prompt for the conversation" };
        private readonly Option<int> _count = CommonOptions.Positive("--n-predict", "-n", "tokens an answer may have at most", 512);
        private readonly Option<int> _context = CommonOptions.Positive("--ctx-size", "-c", "context tokens (the oldest turns are left out when a conversation outgrows it)", 4096);
        private readonly Option<int> _threads = CommonOptions.Threads();
        private readonly Option<LoraAdapterSpec[]> _lora = LoraOption.Create();
        private readonly SamplingOptionSet _sampler = new();
        private readonly CacheTypeOptions _cacheTypes = new();

        public SessionOptions(Command command)
        {
            foreach (var option in new Option[] { _system, _count, _context, _threads, _lora }) command.Options.Add(option);
            _sampler.AddTo(command);
            _cacheTypes.AddTo(command);
        }

        public int Run(ParseResult parse, string modelPath, string? prompt)
        {
            using var lm = LanguageModel.Load(modelPath, parse.GetValue(_threads));
            _cacheTypes.ApplyTo(parse, lm);
            using var adapters = LoraOption.Load(parse, _lora, lm);
            var options = new GenerationOptions { MaxTokens = parse.GetValue(_count), Sampling = _sampler.From(parse), Adapters = adapters.Selection };
            var contextSize = parse.GetValue(_context);
            if (options.MaxTokens >= contextSize)
                throw new ArgumentException($"--n-predict ({options.MaxTokens}) must be smaller than --ctx-size ({contextSize})");
            using var engine = new InferenceScheduler(lm, slots: 1, contextSize, queueLimit: 0);
            var conversation = new Conversation(ChatPromptRenderer.ForModel(lm), parse.GetValue(_system), contextSize - options.MaxTokens);
            var turns = prompt is null ? ReadTurns() : [prompt];
            return Converse(engine, conversation, options, turns, showPrompt: prompt is null && !Console.IsInputRedirected);
        }
    }

    /// <summary>Messages from stdin: one per line, or the lines between two <c>"""</c> lines as one.</summary>
    private static IEnumerable<string> ReadTurns()
    {
        while (Console.ReadLine() is { } line)
        {
            if (line.Trim() != "\"\"\"")
            {
                yield return line;
                continue;
            }
            var message = new StringBuilder();
            while (Console.ReadLine() is { } more && more.Trim() != "\"\"\"") message.Append(message.Length > 0 ? "\n" : "").Append(more);
            yield return message.ToString();
        }
    }

    private static int Converse(InferenceScheduler engine, Conversation conversation, GenerationOptions options, IEnumerable<string> turns, bool showPrompt)
    {
        if (showPrompt) Console.Error.WriteLine(Help);
        CancellationTokenSource? answering = null;
        Console.CancelKeyPress += (_, e) =>
        {
            if (Volatile.Read(ref answering) is not { } current) return;
            e.Cancel = true;
            current.Cancel();
        };
        using var stdout = Console.OpenStandardOutput();
        if (showPrompt) Console.Error.Write(">>> ");
        foreach (var line in turns)
        {
            var command = line.Trim();
            if (command is "/bye" or "/exit") return 0;
            if (command == "/clear" || command == "/system" || command.StartsWith("/system ", StringComparison.Ordinal))
            {
                if (command == "/clear") conversation.Clear();
                else conversation.SystemPrompt = command["/system".Length..].Trim();
                Console.Error.WriteLine(command == "/clear" ? "(conversation cleared)" : "(system prompt set)");
            }
            else if (!string.IsNullOrWhiteSpace(line)) Turn(engine, conversation, options, line, stdout, ref answering);
            if (showPrompt) Console.Error.Write(">>> ");
        }
        return 0;
    }

    private static void Turn(InferenceScheduler engine, Conversation conversation, GenerationOptions options, string line, Stream stdout,
        ref CancellationTokenSource? answering)
    {
        if (!conversation.TryAddUserTurn(line, out var prompt, out var omitted))
        {
            Console.Error.WriteLine($"error: that message alone is more than the {conversation.PromptBudget} tokens a prompt may have here (--ctx-size minus --n-predict)");
            return;
        }
        if (omitted > 0) Console.Error.WriteLine($"({omitted} oldest messages left out: the conversation outgrew --ctx-size)");

        using var cancellation = new CancellationTokenSource();
        Volatile.Write(ref answering, cancellation);
        var answer = Answer(engine, prompt, options, stdout, cancellation.Token);
        Volatile.Write(ref answering, null);
        conversation.AddAnswer(answer);
    }

    /// <summary>Streams one answer to stdout and its figures to stderr; returns its text (the part shown when stopped).</summary>
    private static string Answer(InferenceScheduler engine, int[] prompt, GenerationOptions options, Stream stdout, CancellationToken cancellation)
    {
        var job = new GenerationJob(prompt, options, cancellation);
        if (!engine.TrySubmit(job)) throw new InvalidOperationException("the engine refused the turn");
        var text = new StringBuilder();
        var generated = 0;
        long firstToken = 0;
        var finish = "";
        try
        {
            foreach (var token in job.ReadAllAsync(cancellation).ToBlockingEnumerable(cancellation))
            {
                if (generated++ == 0) firstToken = Stopwatch.GetTimestamp();
                text.Append(token.Text);
                stdout.Write(Encoding.UTF8.GetBytes(token.Text));
                stdout.Flush();
                if (token.FinishReason is { } reason) finish = reason == FinishReason.Length ? ", stopped at --n-predict" : "";
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            finish = ", stopped";
        }
        Console.WriteLine();
        var seconds = generated > 1 ? Stopwatch.GetElapsedTime(firstToken).TotalSeconds : 0;
        var speed = seconds > 0 ? $", {(generated - 1) / seconds:F1} t/s" : "";
        Console.Error.WriteLine($"({generated} tokens{speed}; prompt {prompt.Length} tokens, {job.CachedPromptTokens} of them cached{finish})");
        return text.ToString();
    }

    /// <summary>The turns so far, rendered with the model's template; the oldest turns go first when the prompt
    /// outgrows <see cref="PromptBudget"/> (the system prompt always stays).</summary>
    private sealed class Conversation(ChatPromptRenderer renderer, string? systemPrompt, int promptBudget)
    {
        private readonly List<(string Role, string Content)> _turns = [];

        public string? SystemPrompt { get; set; } = systemPrompt;

        public int PromptBudget => promptBudget;

        public void Clear() => _turns.Clear();

        public bool TryAddUserTurn(string text, out int[] prompt, out int omitted)
        {
            _turns.Add(("user", text));
            omitted = 0;
            while (true)
            {
                prompt = renderer.RenderTokens(Messages(), addGenerationPrompt: true);
                if (prompt.Length <= promptBudget) return true;
                if (_turns.Count == 1)
                {
                    _turns.Clear();
                    return false;
                }
                // A whole exchange goes, so the conversation still opens with a user turn.
                do
                {
                    _turns.RemoveAt(0);
                    omitted++;
                }
                while (_turns.Count > 1 && _turns[0].Role == "assistant");
            }
        }

        public void AddAnswer(string text) => _turns.Add(("assistant", text));

        private JsonArray Messages()
        {
            var messages = new JsonArray();
            if (!string.IsNullOrEmpty(SystemPrompt)) messages.Add(new JsonObject { ["role"] = "system", ["content"] = SystemPrompt });
            foreach (var (role, content) in _turns) messages.Add(new JsonObject { ["role"] = role, ["content"] = content });
            return messages;
        }
    }
}
