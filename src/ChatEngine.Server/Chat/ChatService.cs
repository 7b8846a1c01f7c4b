using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Runtime.Serving;
using ChatEngine.Server.Protocol;
using ChatEngine.Templates;

namespace ChatEngine.Server.Chat;

/// <summary>
/// Conversations in, streamed answers out, through the same <see cref="InferenceScheduler"/> (and so the same slots
/// and queue) as the HTTP API. Used by the SignalR <see cref="ChatHub"/> and, in process, by the web UI.
/// </summary>
public sealed class ChatService
{
    private const string ThinkingVariable = "enable_thinking";
    private readonly ServerState _state;

    internal ChatService(ServerState state) => _state = state;

    public ChatServerInfo Info => _state.Host is { } host
        ? new ChatServerInfo(host.Id, true, host.Scheduler.ContextSize, host.Scheduler.SlotCount,
            host.Renderer.Template.Source.Contains(ThinkingVariable, StringComparison.Ordinal))
        : new ChatServerInfo(null, false, _state.Options.ContextSize, _state.Options.Parallel);

    /// <summary>
    /// Validates and queues <paramref name="request"/>; throws <see cref="ChatException"/> (invalid request, model not
    /// loaded, queue full) before anything is generated.
    /// </summary>
    public ChatGeneration Start(ChatStreamRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_state.Draining) throw new ChatException(ChatException.Unavailable, ServerState.ShuttingDown().Message);
        var host = _state.Host ?? throw new ChatException(ChatException.Unavailable, _state.Unavailable().Message);
        if (!host.Serves(request.Model))
            throw new ChatException(ChatException.InvalidRequest, $"the model '{ErrorText.Excerpt(request.Model)}' does not exist; this server serves '{host.Id}'");
        if (request.MaxTokens is < 1) throw new ChatException(ChatException.InvalidRequest, "maxTokens must be at least 1");
        var (prompt, omitted) = Fit(host, request);
        var room = host.Scheduler.ContextSize - prompt.Length;
        var options = new GenerationOptions { MaxTokens = Math.Min(request.MaxTokens ?? room, room), Sampling = Sampling(request) };
        var job = new GenerationJob(prompt, options, cancellation);
        var accepted = Stopwatch.GetTimestamp();
        if (!host.Scheduler.TrySubmit(job))
        {
            if (_state.Draining) throw new ChatException(ChatException.Unavailable, ServerState.ShuttingDown().Message);
            throw new ChatException(ChatException.QueueFull, $"all {host.Scheduler.SlotCount} slots are busy and the queue is full; retry shortly");
        }
        return new ChatGeneration(_state, job, accepted, contextLimited: options.MaxTokens == room, omitted, ReasoningParser(host, prompt));
    }

    /// <summary>A thinking model's template gets its reasoning split off, as the HTTP API does without tools.</summary>
    private static StreamingChatOutputParser? ReasoningParser(ModelHost host, int[] prompt)
    {
        if (ChatOutputFormat.ReasoningOnly(host.Renderer.Template.Source) is not { } format) return null;
        var startsOpen = format.PromptOpensReasoning(host.Model.Tokenizer.Decode(prompt, removeSpecial: false));
        return new ChatOutputParser(format, new ChatOutputOptions { ReasoningStartsOpen = startsOpen }).StartStream();
    }

    /// <summary>
    /// The prompt of the conversation, leaving out its oldest turns (never the system prompt or the last message) while
    /// the answer would get less than a quarter of the context, or <c>maxTokens</c> when that is less, as Ollama and
    /// Open WebUI do; a conversation that does not fit even then is refused. Returns how many messages were left out.
    /// </summary>
    private static (int[] Prompt, int Omitted) Fit(ModelHost host, ChatStreamRequest request)
    {
        if (request.Messages is not { Count: > 0 }) throw new ChatException(ChatException.InvalidRequest, "messages must contain at least one message");
        var system = new List<JsonObject>();
        if (!string.IsNullOrWhiteSpace(request.SystemPrompt)) system.Add(Message("system", request.SystemPrompt));
        var turns = new List<JsonObject>();
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var turn = request.Messages[i] ?? throw new ChatException(ChatException.InvalidRequest, $"messages[{i}] is null");
            var role = ChatRoles.ToTemplateRole(turn.Role)
                ?? throw new ChatException(ChatException.InvalidRequest, $"messages[{i}].role '{ErrorText.Excerpt(turn.Role)}' is not one of {ChatRoles.Accepted}");
            (role == "system" && turns.Count == 0 ? system : turns).Add(Message(role, turn.Content ?? ""));
        }
        var context = host.Scheduler.ContextSize;
        var wanted = Math.Max(1, Math.Min(request.MaxTokens ?? int.MaxValue, context / 4));
        var omitted = 0;
        while (true)
        {
            var textBytes = system.Concat(turns).Sum(message => (long)Encoding.UTF8.GetByteCount((string)message["content"]!));
            var prompt = textBytes > host.MaxTextBytes ? null : Encode(host, system.Concat(turns), request.Thinking);
            var room = context - (prompt?.Length ?? context);
            if (prompt is not null && (room >= wanted || turns.Count == 1 && room >= 1)) return (prompt, omitted);
            if (turns.Count == 1)
                throw new ChatException(ChatException.InvalidRequest, prompt is null
                    ? $"the conversation is {textBytes} bytes of text even with only its last message (more than {host.MaxTextBytes} bytes are always more tokens than fit), and the context holds {context}: shorten it"
                    : $"the conversation is {prompt.Length} tokens long even with only its last message, and the context holds {context}: shorten it");
            // Drop the oldest turn, and an answer left at the start without its question.
            do
            {
                turns.RemoveAt(0);
                omitted++;
            }
            while (turns.Count > 1 && (string)turns[0]["role"]! == "assistant");
        }
    }

    private static int[] Encode(ModelHost host, IEnumerable<JsonObject> messages, bool? thinking)
    {
        var variables = thinking is { } on ? new Dictionary<string, JsonNode?> { [ThinkingVariable] = on } : null;
        try
        {
            return host.EncodeChat(new JsonArray([.. messages.Select(m => m.DeepClone())]), variables: variables);
        }
        catch (TemplateRenderException e)
        {
            throw new ChatException(ChatException.InvalidRequest, $"the model's chat template rejected the messages: {e.Message}");
        }
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static SamplingOptions Sampling(ChatStreamRequest request)
    {
        var sampling = SamplingOptions.Default;
        try
        {
            if (request.Temperature is { } temperature) sampling = sampling with { Temperature = temperature };
            if (request.TopP is { } topP) sampling = sampling with { TopP = topP };
            if (request.Seed is { } seed) sampling = sampling with { Seed = seed };
        }
        catch (ArgumentOutOfRangeException e)
        {
            var reason = e.Message.Split(" (Parameter", 2)[0]; // "TopP must be ...": name it as the request does
            throw new ChatException(ChatException.InvalidRequest, char.ToLowerInvariant(reason[0]) + reason[1..]);
        }
        return sampling;
    }
}
