using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChatEngine.Runtime.Generation;

namespace ChatEngine.Runtime.Serving;

/// <summary>
/// One request handed to the <see cref="InferenceScheduler"/>: the prompt, how to generate, and the channel on which
/// the scheduler thread publishes tokens as they are produced. The request handler reads the channel; a cancelled
/// <see cref="Cancellation"/> (client gone) makes the scheduler drop the sequence at its next step.
/// </summary>
public sealed class GenerationJob(int[] prompt, GenerationOptions options, CancellationToken cancellation)
{
    private readonly Channel<GeneratedToken> _tokens = Channel.CreateUnbounded<GeneratedToken>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public int[] Prompt { get; } = prompt;
    public GenerationOptions Options { get; } = options;
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>When the job was created (<see cref="Stopwatch"/> ticks): time to first token counts from here.</summary>
    public long SubmittedAt { get; } = Stopwatch.GetTimestamp();

    private readonly DateTime _submittedUtc = DateTime.UtcNow;

    /// <summary>The span current when the job was created (the request's): the generation's spans are its children.</summary>
    internal ActivityContext TraceParent { get; } = Activity.Current?.Context ?? default;

    /// <summary>When a slot took the job (<see cref="Stopwatch"/> ticks); null while it waits in the queue.</summary>
    internal long? StartedAt { get; set; }

    /// <summary>When the first token was sampled (<see cref="Stopwatch"/> ticks); null until then.</summary>
    internal long? FirstTokenAt { get; set; }

    internal int GeneratedTokens { get; set; }

    /// <summary>Prompt tokens whose keys and values were reused from an earlier sequence; set before the first token.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>How often the sequence's context was shifted (<see cref="GenerationOptions.ContextShiftKeep"/>) and how
    /// many tokens that dropped in all; final once the channel completes.</summary>
    public int ContextShifts { get; internal set; }

    public int DiscardedTokens { get; internal set; }

    /// <summary>Generated tokens in order; the last one carries the finish reason, then the channel completes.</summary>
    public ChannelReader<GeneratedToken> Tokens => _tokens.Reader;

    /// <summary>The tokens as they come; stops with <see cref="OperationCanceledException"/> as soon as
    /// <paramref name="cancellation"/> is cancelled, even while tokens are waiting (the channel's own ReadAllAsync hands
    /// those out without looking at the token again).</summary>
    public async IAsyncEnumerable<GeneratedToken> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await foreach (var token in _tokens.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            cancellation.ThrowIfCancellationRequested();
            yield return token;
        }
    }

    /// <summary>The wall-clock time of a <see cref="Stopwatch"/> timestamp taken during the job (span times).</summary>
    internal DateTime UtcAt(long timestamp) => _submittedUtc + Stopwatch.GetElapsedTime(SubmittedAt, timestamp);

    internal void Publish(GeneratedToken token) => _tokens.Writer.TryWrite(token);

    internal void Complete(Exception? error = null) => _tokens.Writer.TryComplete(error);
}
