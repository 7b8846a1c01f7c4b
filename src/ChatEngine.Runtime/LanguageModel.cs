using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime;

/// <summary>A GGUF model loaded for inference: its file mapping, hyper-parameters, weights and compute threads.</summary>
public sealed class LanguageModel : IDisposable
{
    private readonly GgufFile _file;

    private LanguageModel(GgufFile file, ModelHyperParameters parameters, ModelWeights weights, ComputePool pool)
    {
        _file = file;
        Parameters = parameters;
        Weights = weights;
        Pool = pool;
    }

    /// <summary>Loads <paramref name="path"/>; an unsupported architecture or a missing tensor/key is a clear error.</summary>
    public static LanguageModel Load(string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        var file = GgufFile.Open(path);
        try
        {
            var architecture = Architectures.Find(file.Metadata.GetString("general.architecture"));
            var vocabSize = file.Metadata.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens.Value is GgufArray array
                ? array.Length
                : (int)file.GetTensor("token_embd.weight").Dimensions[1];
            var parameters = ModelHyperParameters.FromMetadata(file.Metadata, architecture, vocabSize);
            var weights = ModelWeights.Load(file, parameters, architecture);
            var pool = new ComputePool(threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount));
            return new LanguageModel(file, parameters, weights, pool);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public ModelHyperParameters Parameters { get; }
    public ModelWeights Weights { get; }
    public ComputePool Pool { get; }
    public GgufMetadata Metadata => _file.Metadata;
    public string Path => _file.Path;

    /// <summary>A fresh evaluation state (KV cache + scratch) for one sequence of up to <paramref name="contextSize"/> tokens.</summary>
    public InferenceContext CreateContext(int contextSize) => new(this, contextSize);

    public void Dispose()
    {
        Pool.Dispose();
        _file.Dispose();
    }
}
