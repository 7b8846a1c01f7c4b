using System.Collections.Concurrent;
using ChatEngine.Runtime;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// A GGUF model loaded in this process and shared by its <see cref="IChatClient"/> and
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: it lends each call its own <see cref="InferenceContext"/>
/// (at most <see cref="InProcessModelOptions.MaxConcurrentSequences"/> at once) and lets one forward pass run at a
/// time, because the model's compute pool serves one caller at a time. Concurrent calls therefore interleave token by
/// token. Thread-safe.
/// </summary>
public sealed class InProcessModel : IDisposable
{
    private readonly bool _ownsModel;
    private readonly SemaphoreSlim _sequences;
    private readonly ConcurrentBag<InferenceContext> _idle = [];
    private readonly Lock _forwardPass = new();

    /// <summary>Wraps an already loaded model; <paramref name="ownsModel"/> decides whether <see cref="Dispose"/> disposes it.</summary>
    public InProcessModel(LanguageModel model, InProcessModelOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new InProcessModelOptions();
        Options.Validate();
        Model = model;
        _ownsModel = ownsModel;
        _sequences = new SemaphoreSlim(Options.MaxConcurrentSequences, Options.MaxConcurrentSequences);
        Renderer = ChatPromptRenderer.ForModel(model);
        ModelId = Path.GetFileNameWithoutExtension(model.Path);
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

    internal ChatPromptRenderer Renderer { get; }

    /// <summary>A chat client over this model (disposing the client leaves the model loaded).</summary>
    public InProcessChatClient AsChatClient() => new(this);

    /// <summary>An embedding generator over this model: mean-pooled final hidden states, L2-normalised.</summary>
    public InProcessEmbeddingGenerator AsEmbeddingGenerator() => new(this);

    /// <summary>Waits for a free sequence and lends an empty context; dispose the lease to give it back.</summary>
    internal async Task<ContextLease> RentAsync(CancellationToken cancellation)
    {
        await _sequences.WaitAsync(cancellation).ConfigureAwait(false);
        var context = _idle.TryTake(out var idle) ? idle : Model.CreateContext(Options.ContextSize);
        context.Reset();
        return new ContextLease(this, context);
    }

    /// <summary>Runs one step that evaluates the model, never at the same time as another.</summary>
    internal T RunForwardPass<T>(Func<T> step)
    {
        lock (_forwardPass) return step();
    }

    internal void RunForwardPass(Action step)
    {
        lock (_forwardPass) step();
    }

    private void Return(InferenceContext context)
    {
        _idle.Add(context);
        _sequences.Release();
    }

    /// <summary>Disposes the model when this instance loaded it (or was told it owns it).</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
        _sequences.Dispose();
    }

    internal sealed class ContextLease(InProcessModel owner, InferenceContext context) : IDisposable
    {
        private int _returned;

        public InferenceContext Context => context;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) owner.Return(context);
        }
    }
}
