using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Serving;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Chat;

/// <summary>
/// An answer accepted by the scheduler. <see cref="ReadAllAsync"/> yields its text as the scheduler samples it and
/// ends with the summary; cancelling the token given to <see cref="ChatService.Start"/> makes the scheduler drop the
/// sequence (freeing its slot) at its next step.
/// </summary>
public sealed class ChatGeneration
{
    private readonly ServerState _state;
    private readonly GenerationJob _job;
    private readonly long _accepted;
    private readonly bool _contextLimited;
    private readonly int _omittedMessages;
    private readonly StreamingChatOutputParser? _reasoning;

    internal ChatGeneration(ServerState state, GenerationJob job, long accepted, bool contextLimited, int omittedMessages, StreamingChatOutputParser? reasoning)
    {
        _reasoning = reasoning;
        _state = state;
        _job = job;
        _accepted = accepted;
        _contextLimited = contextLimited;
        _omittedMessages = omittedMessages;
    }

    public int PromptTokens => _job.Prompt.Length;

    public async IAsyncEnumerable<ChatChunk> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var reply = _state.TrackReply();
        long firstToken = 0;
        var generated = 0;
        var finish = FinishReason.Length;
        var tokens = _job.Tokens;
        while (await WaitForTokensAsync(tokens, cancellation))
        {
            while (tokens.TryRead(out var token))
            {
                if (token.FinishReason is { } reason) finish = reason;
                // The shutdown's last token ends the answer without being a generated token.
                if (token.FinishReason == FinishReason.Shutdown) continue;
                if (generated++ == 0) firstToken = Stopwatch.GetTimestamp();
                if (_reasoning is null)
                {
                    if (token.Text.Length > 0) yield return new ChatChunk(token.Text);
                    continue;
                }
                foreach (var delta in _reasoning.Feed(token.Text)) yield return new ChatChunk(delta.Content ?? "", Reasoning: delta.Reasoning);
            }
        }
        if (_reasoning is not null)
        {
            foreach (var delta in _reasoning.Finish().Deltas) yield return new ChatChunk(delta.Content ?? "", Reasoning: delta.Reasoning);
        }
        var end = Stopwatch.GetTimestamp();
        if (generated == 0) firstToken = end;
        var decodeSeconds = Stopwatch.GetElapsedTime(firstToken, end).TotalSeconds;
        var timings = new ChatTimings(
            Stopwatch.GetElapsedTime(_accepted, firstToken).TotalMilliseconds,
            Stopwatch.GetElapsedTime(_accepted, end).TotalMilliseconds,
            generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0);
        var summary = new ChatSummary(Protocol.CompletionFormat.WireName(finish), new ChatUsage(PromptTokens, generated), timings,
            ContextFull: finish == FinishReason.Length && _contextLimited, OmittedMessages: _omittedMessages);
        yield return new ChatChunk("", summary);
    }

    /// <summary>False once every token is read; a sequence that ended with an error is a <see cref="ChatException"/>.</summary>
    private static async ValueTask<bool> WaitForTokensAsync(ChannelReader<GeneratedToken> tokens, CancellationToken cancellation)
    {
        try
        {
            return await tokens.WaitToReadAsync(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new ChatException(ChatException.Unavailable, "the server is shutting down");
        }
        catch (Exception e)
        {
            throw new ChatException(ChatException.ServerError, $"generation failed: {ErrorText.Excerpt(e.Message)}");
        }
    }
}
