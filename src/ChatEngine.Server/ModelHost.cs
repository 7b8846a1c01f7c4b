using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Serving;
using ChatEngine.Templates;

namespace ChatEngine.Server;

/// <summary>The loaded model with what the endpoints need around it: its public id, chat renderer, scheduler, and a
/// <see cref="DetachedEvaluator"/> (own compute threads: embeddings and prompt scoring do not wait for generation).</summary>
internal sealed class ModelHost : IDisposable
{
    private readonly DetachedEvaluator _detached;
    private readonly SemaphoreSlim _detachedLock = new(1, 1);

    private ModelHost(LanguageModel model, ChatTemplate? chatTemplate, ServerAdapters adapters, ServerOptions options, ILoggerFactory logging, Meter meter)
    {
        Model = model;
        Adapters = adapters;
        Id = System.IO.Path.GetFileNameWithoutExtension(options.ModelPath);
        Renderer = chatTemplate is null ? ChatPromptRenderer.ForModel(model) : new ChatPromptRenderer(chatTemplate, model.Tokenizer);
        var schedulerLog = logging.CreateLogger<InferenceScheduler>();
        Scheduler = new InferenceScheduler(model, options.Parallel, options.ContextSize, options.QueueLimit,
            (error, failure) => schedulerLog.LogError(error, "{Failure}", failure), meter);
        _detached = new DetachedEvaluator(model, options.Threads);
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ContextShift = options.ContextShift;
    }

    public static ModelHost Load(ServerOptions options, ILoggerFactory logging, Meter meter)
    {
        var chatTemplate = options.ChatTemplateFile is { } file ? LoadChatTemplate(file) : null;
        var model = LanguageModel.Load(options.ModelPath, options.Threads);
        ServerAdapters? adapters = null;
        try
        {
            model.CacheFormat = options.CacheFormat;
            adapters = ServerAdapters.Load(options.LoraAdapters, model);
            return new ModelHost(model, chatTemplate, adapters, options, logging, meter);
        }
        catch
        {
            adapters?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>The <see cref="ServerOptions.ChatTemplateFile"/> template; a missing or malformed file fails start-up, naming it.</summary>
    private static ChatTemplate LoadChatTemplate(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"chat template file '{path}' does not exist", path);
        try
        {
            return ChatTemplate.Parse(File.ReadAllText(path));
        }
        catch (TemplateSyntaxException e)
        {
            throw new TemplateSyntaxException($"chat template file '{path}' is not a template this server can render: {e.Reason}", e.Line, e.Column);
        }
    }

    public LanguageModel Model { get; }

    /// <summary>The LoRA adapters given at start-up and their current global scales.</summary>
    public ServerAdapters Adapters { get; }

    /// <summary>The id clients pass as <c>model</c>: the file name without <c>.gguf</c>.</summary>
    public string Id { get; }
    public ChatPromptRenderer Renderer { get; }
    public InferenceScheduler Scheduler { get; }

    /// <summary><see cref="ServerOptions.ContextShift"/>.</summary>
    public bool ContextShift { get; }

    /// <summary>The length of an embedding.</summary>
    public int EmbeddingDimensions => _detached.Dimensions;

    /// <summary>Runs <paramref name="work"/> on the detached evaluator once no other request is using it.</summary>
    public async Task<T> RunDetachedAsync<T>(Func<DetachedEvaluator, T> work, CancellationToken cancellation)
    {
        await _detachedLock.WaitAsync(cancellation);
        try
        {
            return work(_detached);
        }
        finally
        {
            _detachedLock.Release();
        }
    }
    public long Created { get; }

    /// <summary>The most UTF-8 bytes of text that could still fit a context (see <see cref="Text.Tokenizer.LongestTokenBytes"/>).</summary>
    public long MaxTextBytes => (long)Scheduler.ContextSize * Model.Tokenizer.LongestTokenBytes;

    /// <summary>
    /// 400 <c>context_length_exceeded</c> when <paramref name="utf8Bytes"/> of text are sure to be more tokens than a
    /// context holds; checked before tokenizing, which for megabytes of text would cost seconds.
    /// </summary>
    public void CheckTextFits(long utf8Bytes, string param)
    {
        var contextSize = Scheduler.ContextSize;
        var limit = MaxTextBytes;
        if (utf8Bytes > limit)
            throw Protocol.ApiException.InvalidRequest(
                $"This model's maximum context length is {contextSize} tokens, and the {param} is {utf8Bytes} bytes of text: more than any " +
                $"{contextSize} tokens of this vocabulary can hold (at most {limit} bytes)", param, "context_length_exceeded");
    }

    /// <summary>Accepts the id, the file name with its extension, or no model at all.</summary>
    public bool Serves(string? requested) =>
        requested is null || requested == Id || requested == System.IO.Path.GetFileName(Model.Path);

    /// <summary>Renders chat messages (<c>role</c>/<c>content</c> objects, tool calls and results), the tools offered and
    /// extra template variables with the model's template and tokenizes the result
    /// (<see cref="ChatPromptRenderer.RenderTokens"/>: message text stays text, BOS only when the template did not write
    /// it); throws the template's <see cref="Templates.TemplateRenderException"/> when it rejects the messages.</summary>
    public int[] EncodeChat(JsonArray messages, JsonArray? tools = null, IReadOnlyDictionary<string, JsonNode?>? variables = null) =>
        Renderer.RenderTokens(messages, addGenerationPrompt: true, tools, variables);

    public void Dispose()
    {
        Scheduler.Dispose();
        _detached.Dispose();
        _detachedLock.Dispose();
        Adapters.Dispose();
        Model.Dispose();
    }
}
