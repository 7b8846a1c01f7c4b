using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Server.Protocol;
using ChatEngine.Server.Scheduling;
using ChatEngine.Templates;

namespace ChatEngine.Server.Chat;

/// <summary>
/// Conversations in, streamed answers out, through the same <see cref="InferenceScheduler"/> (and so the same slots
/// and queue) as the HTTP API. Used by the SignalR <see cref="ChatHub"/> and, in process, by the web UI.
/// </summary>
public sealed class ChatService
{
    private readonly ServerState _state;

    internal ChatService(ServerState state) => _state = state;

    public ChatServerInfo Info => _state.Host is { } host
        ? new ChatServerInfo(host.Id, true, host.Scheduler.ContextSize, host.Scheduler.SlotCount)
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
        var prompt = Encode(host, request);
        var room = host.Scheduler.ContextSize - prompt.Length;
        if (room < 1)
            throw new ChatException(ChatException.InvalidRequest,
                $"the conversation is {prompt.Length} tokens long and the context holds {host.Scheduler.ContextSize}: start a new conversation");
        if (request.MaxTokens is < 1) throw new ChatException(ChatException.InvalidRequest, "maxTokens must be at least 1");
        var options = new GenerationOptions { MaxTokens = Math.Min(request.MaxTokens ?? room, room), Sampling = Sampling(request) };
        var job = new GenerationJob(prompt, options, cancellation);
        var accepted = Stopwatch.GetTimestamp();
        if (!host.Scheduler.TrySubmit(job))
        {
            if (_state.Draining) throw new ChatException(ChatException.Unavailable, ServerState.ShuttingDown().Message);
            throw new ChatException(ChatException.QueueFull, $"all {host.Scheduler.SlotCount} slots are busy and the queue is full; retry shortly");
        }
        return new ChatGeneration(_state, job, accepted);
    }

    private static int[] Encode(ModelHost host, ChatStreamRequest request)
    {
        if (request.Messages is not { Count: > 0 }) throw new ChatException(ChatException.InvalidRequest, "messages must contain at least one message");
        var messages = new JsonArray();
        if (!string.IsNullOrWhiteSpace(request.SystemPrompt)) messages.Add(Message("system", request.SystemPrompt));
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var turn = request.Messages[i] ?? throw new ChatException(ChatException.InvalidRequest, $"messages[{i}] is null");
            if (turn.Role is not ("system" or "user" or "assistant"))
                throw new ChatException(ChatException.InvalidRequest, $"messages[{i}].role '{ErrorText.Excerpt(turn.Role)}' is not system, user or assistant");
            messages.Add(Message(turn.Role, turn.Content ?? ""));
        }
        var textBytes = messages.Sum(message => (long)Encoding.UTF8.GetByteCount((string)message!["content"]!));
        if (textBytes > host.MaxTextBytes)
            throw new ChatException(ChatException.InvalidRequest,
                $"the conversation is {textBytes} bytes of text (more than {host.MaxTextBytes} bytes are always more tokens than fit) " +
                $"and the context holds {host.Scheduler.ContextSize}: start a new conversation");
        try
        {
            return host.EncodeChat(messages);
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
