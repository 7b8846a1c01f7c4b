using ChatEngine.Runtime;
using ChatEngine.Runtime.Serving;
using ChatEngine.Templates;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// A GGUF model loaded in this process and shared by its <see cref="IChatClient"/> and
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Chat runs on the same serving engine as the HTTP server
/// (<see cref="InferenceScheduler"/>): concurrent calls are batched into shared forward passes, and a conversation's
/// next turn reuses the KV cache of the prompt it shares with an earlier one. Embeddings run one at a time on a
/// <see cref="DetachedEvaluator"/> beside generation. Thread-safe.
/// </summary>
public sealed class InProcessModel : IDisposable
{
    private readonly bool _ownsModel;
    private readonly DetachedEvaluator _embeddings;
    private readonly SemaphoreSlim _embeddingTurn = new(1, 1);

    /// <summary>Wraps an already loaded model; <paramref name="ownsModel"/> decides whether <see cref="Dispose"/> disposes it.</summary>
    public InProcessModel(LanguageModel model, InProcessModelOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new InProcessModelOptions();
        Options.Validate();
        Model = model;
        _ownsModel = ownsModel;
        Renderer = new ChatPromptRenderer(ChatTemplate.ForModel(Options.ChatTemplate ?? model.ChatTemplate), model.Tokenizer);
        ModelId = Path.GetFileNameWithoutExtension(model.Path);
        Scheduler = new InferenceScheduler(model, Options.MaxConcurrentSequences, Options.ContextSize, Options.QueueLimit);
        _embeddings = new DetachedEvaluator(model, model.Pool.ThreadCount);
    }

    /// <summary>Loads a GGUF file; the returned instance owns the model.</summary>
    public static InProcessModel Load(string path, InProcessModelOptions? options = null)
    {
        options ??= new InProcessModelOptions();
        options.Validate();
        return new InProcessModel(LanguageModel.Load(path, options.Threads), options, ownsModel: true);
    }

    /// <summary>The loaded model.</summary>
    public LanguageModel Model { get; }

    /// <summary>The settings this instance runs with.</summary>
    public InProcessModelOptions Options { get; }

    /// <summary>The model file's name without <c>.gguf</c>, reported as the model id of responses and embeddings.</summary>
    public string ModelId { get; }

    /// <summary>The serving engine every chat call goes through (its metrics tell batching and prefix-cache hits).</summary>
    public InferenceScheduler Scheduler { get; }

    internal ChatPromptRenderer Renderer { get; }

    /// <summary>A chat client over this model (disposing the client leaves the model loaded).</summary>
    public InProcessChatClient AsChatClient() => new(this);

    /// <summary>An embedding generator over this model: mean-pooled final hidden states, L2-normalised.</summary>
    public InProcessEmbeddingGenerator AsEmbeddingGenerator() => new(this);

    /// <summary>The embedding of <paramref name="tokens"/>, once no other embedding is being computed.</summary>
    internal async Task<float[]> EmbedAsync(int[] tokens, CancellationToken cancellation)
    {
        await _embeddingTurn.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => _embeddings.Embed(tokens), cancellation).ConfigureAwait(false);
        }
        finally
        {
            _embeddingTurn.Release();
        }
    }

    /// <summary>Stops the serving engine, and disposes the model when this instance loaded it (or was told it owns it).</summary>
    public void Dispose()
    {
        Scheduler.Dispose();
        _embeddings.Dispose();
        _embeddingTurn.Dispose();
        if (_ownsModel) Model.Dispose();
    }
}
