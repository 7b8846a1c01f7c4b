using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Xunit;

namespace ChatEngine.Extensions.AI.Tests;

[Collection(ModelCollection.Name)]
public sealed class EmbeddingGeneratorTests(ModelFixture fixture)
{
    private IEmbeddingGenerator<string, Embedding<float>> Generator => fixture.Model.AsEmbeddingGenerator();

    [Fact]
    public async Task An_embedding_is_the_unit_length_mean_of_the_final_hidden_states()
    {
        const string text = "The cat sat on the mat and looked at the moon.";
        var model = fixture.Model.Model;
        var dimensions = model.Parameters.EmbeddingSize;
        var tokens = model.Tokenizer.Encode(text, addSpecial: true);
        var hidden = new float[tokens.Length * dimensions];
        model.CreateContext(tokens.Length).EvaluateHiddenStates(tokens, hidden);
        var expected = new double[dimensions];
        for (var t = 0; t < tokens.Length; t++)
            for (var i = 0; i < dimensions; i++) expected[i] += hidden[t * dimensions + i] / (double)tokens.Length;
        var length = Math.Sqrt(expected.Sum(v => v * v));

        var embedding = (await Generator.GenerateAsync([text]))[0];

        Assert.Equal(dimensions, embedding.Vector.Length);
        Assert.Equal(1.0, TensorPrimitives.Norm(embedding.Vector.Span), 5);
        for (var i = 0; i < dimensions; i++) Assert.Equal(expected[i] / length, embedding.Vector.Span[i], 5);
        Assert.Equal("stories260K", embedding.ModelId);
    }

    [Fact]
    public async Task A_batch_keeps_its_order_reports_usage_and_matches_single_calls_made_concurrently()
    {
        string[] texts = ["Once upon a time", "a little dog ran home", "The sun was bright.", "Once upon a time"];

        var batch = await Generator.GenerateAsync(texts);
        var singles = await Task.WhenAll(texts.Select(t => Task.Run(() => Generator.GenerateVectorAsync(t))));

        Assert.Equal(4, batch.Count);
        for (var i = 0; i < texts.Length; i++) Assert.Equal(batch[i].Vector.ToArray(), singles[i].ToArray());
        Assert.Equal(batch[0].Vector.ToArray(), batch[3].Vector.ToArray());
        Assert.NotEqual(batch[0].Vector.ToArray(), batch[1].Vector.ToArray());
        Assert.Equal(texts.Sum(t => fixture.Model.Model.Tokenizer.Encode(t, addSpecial: true).Length), batch.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Embeddings_and_chat_streams_can_run_at_the_same_time()
    {
        var expected = (await Generator.GenerateVectorAsync("a red ball")).ToArray();
        var chat = fixture.Model.AsChatClient();

        var streams = Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await chat.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 24 })));
        var embeddings = Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await Generator.GenerateVectorAsync("a red ball")).ToArray()));
        var vectors = await Task.WhenAll(embeddings);
        await Task.WhenAll(streams);

        Assert.All(vectors, v => Assert.Equal(expected, v));
    }

    [Fact]
    public async Task Unsupported_dimensions_are_a_clear_error_and_the_metadata_gives_the_width()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => Generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 3 }));
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(fixture.Model.Model.Parameters.EmbeddingSize, metadata.DefaultModelDimensions);
    }
}
