using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an <see cref="InProcessModel"/>: each text is tokenized
/// (with the model's BOS), its final hidden states (after the output norm) are averaged over the tokens and the mean is
/// scaled to unit length, so cosine similarity is a dot product. Safe for concurrent use.
/// </summary>
public sealed class InProcessEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InProcessModel _model;

    /// <summary>A generator over <paramref name="model"/>, which stays owned by the caller.</summary>
    public InProcessEmbeddingGenerator(InProcessModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Metadata = new EmbeddingGeneratorMetadata("chatengine", providerUri: null, defaultModelId: model.ModelId, defaultModelDimensions: model.Model.Parameters.EmbeddingSize);
    }

    /// <summary>Provider <c>chatengine</c>, the model id and the embedding width.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dimensions = _model.Model.Parameters.EmbeddingSize;
        if (options?.Dimensions is { } asked && asked != dimensions)
            throw new NotSupportedException($"this model's embeddings have {dimensions} dimensions, not {asked}");
        var result = new GeneratedEmbeddings<Embedding<float>>();
        var inputTokens = 0;
        foreach (var text in values)
        {
            var tokens = _model.Model.Tokenizer.Encode(text, addSpecial: true);
            if (tokens.Length == 0) throw new ArgumentException("an input produced no tokens", nameof(values));
            if (tokens.Length > _model.Options.ContextSize)
                throw new ArgumentException($"an input of {tokens.Length} tokens exceeds the context size of {_model.Options.ContextSize}", nameof(values));
            inputTokens += tokens.Length;
            var vector = await _model.EmbedAsync(tokens, cancellationToken).ConfigureAwait(false);
            result.Add(new Embedding<float>(vector) { ModelId = _model.ModelId, CreatedAt = DateTimeOffset.UtcNow });
        }
        result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return Metadata;
        if (serviceType == typeof(InProcessModel)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the <see cref="InProcessModel"/> belongs to whoever created it.</summary>
    public void Dispose()
    {
    }
}
