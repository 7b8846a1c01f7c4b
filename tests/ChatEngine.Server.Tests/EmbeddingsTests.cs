using System.Net;
using System.Text.Json;
using OpenAI.Embeddings;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>/v1/embeddings through the official SDK (which asks for base64) and raw HTTP (floats, bad input).</summary>
[Collection(ServerCollection.Name)]
public sealed class EmbeddingsTests(ServerFixture fixture)
{
    private EmbeddingClient Client => fixture.Server.OpenAi.GetEmbeddingClient("stories260K");

    private static int Dimensions => Reference.Model.Parameters.EmbeddingSize;

    [Fact]
    public async Task Batch_embeddings_are_unit_vectors_of_the_model_width_in_input_order()
    {
        string[] inputs = ["A cat sat on the mat.", "The sun is hot.", "A cat sat on the mat.", "Tim and Lily played ball in the park all day."];

        OpenAIEmbeddingCollection batch = await Client.GenerateEmbeddingsAsync(inputs);

        Assert.Equal(inputs.Length, batch.Count);
        var vectors = batch.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.Equal([0, 1, 2, 3], batch.Select(e => e.Index));
        foreach (var vector in vectors)
        {
            Assert.Equal(Dimensions, vector.Length);
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-5);
        }
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        for (var i = 0; i < inputs.Length; i++)
        {
            OpenAIEmbedding single = await Client.GenerateEmbeddingAsync(inputs[i]);
            Assert.Equal(vectors[i], single.ToFloats().ToArray());
        }
        Assert.Equal(inputs.Sum(i => Reference.TextPrompt(i).Length), batch.Usage.InputTokenCount);
        Assert.Equal(batch.Usage.InputTokenCount, batch.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Token_arrays_embed_like_the_text_they_encode()
    {
        var tokens = Reference.TextPrompt("The sun is hot.");
        OpenAIEmbeddingCollection fromTokens = await Client.GenerateEmbeddingsAsync([new ReadOnlyMemory<int>(tokens), new ReadOnlyMemory<int>(tokens[..3])]);
        OpenAIEmbedding fromText = await Client.GenerateEmbeddingAsync("The sun is hot.");
        Assert.Equal(fromText.ToFloats().ToArray(), fromTokens[0].ToFloats().ToArray());
        Assert.NotEqual(fromText.ToFloats().ToArray(), fromTokens[1].ToFloats().ToArray());

        var single = await fixture.Server.PostForJsonAsync("/v1/embeddings", $$"""{"input":[{{string.Join(',', tokens)}}]}""");
        Assert.Equal(fromText.ToFloats().ToArray(), Floats(single.GetProperty("data")[0]));
    }

    [Fact]
    public async Task Float_and_base64_encodings_carry_the_same_vector()
    {
        var floats = await fixture.Server.PostForJsonAsync("/v1/embeddings", """{"model":"stories260K","input":"Hello there","encoding_format":"float"}""");
        var base64 = await fixture.Server.PostForJsonAsync("/v1/embeddings", """{"input":["Hello there"],"encoding_format":"base64"}""");
        Assert.Equal("list", floats.GetProperty("object").GetString());
        Assert.Equal("stories260K", floats.GetProperty("model").GetString());
        var entry = floats.GetProperty("data")[0];
        Assert.Equal("embedding", entry.GetProperty("object").GetString());
        var bytes = Convert.FromBase64String(base64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);
        Assert.Equal(Floats(entry), decoded);
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { """{}""", "input" },
        { """{"input":""}""", "input" },
        { """{"input":[]}""", "input" },
        { """{"input":5}""", "input" },
        { """{"input":[1,99999]}""", "input" },
        { """{"input":[[1,2],[-1]]}""", "input[1]" },
        { """{"input":["a",["b"]]}""", "input[1]" },
        { """{"input":[{"a":1}]}""", "input[0]" },
        { """{"input":[[]]}""", "input" },
        { """{"input":"hi","encoding_format":"hex"}""", "encoding_format" },
        { """{"input":"hi","dimensions":7}""", "dimensions" },
        { """{"input":"hi","model":"gpt-4"}""", "model" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_a_4xx_naming_the_field(string body, string param)
    {
        using var response = await fixture.Server.PostJsonAsync("/v1/embeddings", body);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{response.StatusCode}");
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task An_input_longer_than_the_context_is_rejected()
    {
        var longText = string.Join(' ', Enumerable.Repeat("The cat sat on the mat.", 100));
        using var response = await fixture.Server.PostJsonAsync("/v1/embeddings", JsonSerializer.Serialize(new { input = longText }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("context_length_exceeded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static float[] Floats(JsonElement entry) => entry.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
}
