using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Runtime.Model;
using ChatEngine.Text;

namespace ChatEngine.Runtime;

/// <summary>A GGUF model loaded for inference: its file mapping, hyper-parameters, weights and compute threads.</summary>
public sealed class LanguageModel : IDisposable
{
    private readonly GgufFile _file;
    private readonly InterleavedWeights _interleaved;

    private LanguageModel(GgufFile file, InterleavedWeights interleaved, ModelHyperParameters parameters, ModelWeights weights, Tokenizer tokenizer, ComputePool pool)
    {
        _file = file;
        _interleaved = interleaved;
        Tokenizer = tokenizer;
        Parameters = parameters;
        Weights = weights;
        Pool = pool;
    }

    /// <summary>Loads <paramref name="path"/>; an unsupported architecture or a missing tensor/key is a clear error.</summary>
    public static LanguageModel Load(string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        var file = GgufFile.Open(path);
        var interleaved = new InterleavedWeights();
        try
        {
            var architecture = Architectures.Find(file.Metadata.GetString("general.architecture"));
            var tokenizer = Tokenizer.FromGguf(file.Metadata);
            var parameters = ModelHyperParameters.FromMetadata(file.Metadata, architecture, tokenizer.VocabSize);
            var weights = ModelWeights.Load(file, parameters, architecture, interleaved);
            var pool = new ComputePool(threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount));
            return new LanguageModel(file, interleaved, parameters, weights, tokenizer, pool);
        }
        catch
        {
            interleaved.Dispose();
            file.Dispose();
            throw;
        }
    }

    public ModelHyperParameters Parameters { get; }
    public ModelWeights Weights { get; }
    public Tokenizer Tokenizer { get; }

    /// <summary>The Jinja chat template from <c>tokenizer.chat_template</c>, or null when the file has none.</summary>
    public string? ChatTemplate => _file.Metadata.TryGetString("tokenizer.chat_template", out var t) ? t : null;
    public ComputePool Pool { get; }
    public GgufMetadata Metadata => _file.Metadata;
    public string Path => _file.Path;

    /// <summary>How the KV caches created from now on store keys and values (F16 by default); checked against the model's heads.</summary>
    public KvCacheFormat CacheFormat
    {
        get => _cacheFormat;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate(Parameters);
            _cacheFormat = value;
        }
    }

    private KvCacheFormat _cacheFormat = KvCacheFormat.F16;

    /// <summary>A fresh evaluation state (KV cache + scratch) for one sequence of up to <paramref name="contextSize"/> tokens.</summary>
    public InferenceContext CreateContext(int contextSize) => new(this, contextSize);

    public void Dispose()
    {
        Pool.Dispose();
        _interleaved.Dispose();
        _file.Dispose();
    }
}
