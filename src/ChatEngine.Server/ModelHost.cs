using ChatEngine.Runtime;
using ChatEngine.Server.Scheduling;

namespace ChatEngine.Server;

/// <summary>The loaded model with what the endpoints need around it: its public id, chat renderer, scheduler and
/// embedder (which has its own compute threads, so embeddings do not wait for generation steps).</summary>
internal sealed class ModelHost : IDisposable
{
    private ModelHost(LanguageModel model, ServerOptions options)
    {
        Model = model;
        Id = System.IO.Path.GetFileNameWithoutExtension(options.ModelPath);
        Renderer = ChatPromptRenderer.ForModel(model);
        Scheduler = new InferenceScheduler(model, options.Parallel, options.ContextSize, options.QueueLimit);
        Embedder = new TextEmbedder(model, options.Threads);
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public static ModelHost Load(ServerOptions options)
    {
        var model = LanguageModel.Load(options.ModelPath, options.Threads);
        try
        {
            return new ModelHost(model, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public LanguageModel Model { get; }

    /// <summary>The id clients pass as <c>model</c>: the file name without <c>.gguf</c>.</summary>
    public string Id { get; }
    public ChatPromptRenderer Renderer { get; }
    public InferenceScheduler Scheduler { get; }

    /// <summary>Used by one request at a time (take <see cref="EmbedderLock"/>).</summary>
    public TextEmbedder Embedder { get; }
    public SemaphoreSlim EmbedderLock { get; } = new(1, 1);
    public long Created { get; }

    /// <summary>Accepts the id, the file name with its extension, or no model at all.</summary>
    public bool Serves(string? requested) =>
        requested is null || requested == Id || requested == System.IO.Path.GetFileName(Model.Path);

    public void Dispose()
    {
        Scheduler.Dispose();
        Embedder.Dispose();
        EmbedderLock.Dispose();
        Model.Dispose();
    }
}
