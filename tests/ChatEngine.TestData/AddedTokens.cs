using ChatEngine.Gguf;

namespace ChatEngine.TestData;

/// <summary>A real vocabulary's GGUF metadata with tokens added, for tokenizer cases no shipped vocabulary has.</summary>
public static class AddedTokens
{
    /// <summary>GGUF token type of a control token (llama.cpp's LLAMA_TOKEN_TYPE_CONTROL).</summary>
    public const int Control = 3;

    /// <summary>GGUF token type of a user-defined token (LLAMA_TOKEN_TYPE_USER_DEFINED).</summary>
    public const int UserDefined = 4;

    /// <summary>
    /// The metadata of <paramref name="ggufPath"/> with <paramref name="tokens"/> given their type: a text the
    /// vocabulary has keeps its id, any other is appended to <c>tokenizer.ggml.tokens</c> / <c>token_type</c> (and to
    /// <c>scores</c>, with score 0, when the file has them).
    /// </summary>
    public static GgufMetadata Add(string ggufPath, IEnumerable<(string Text, int Type)> tokens)
    {
        using var file = GgufFile.Open(ggufPath);
        var metadata = new GgufMetadata(file.Metadata);
        var texts = metadata.GetStringArray("tokenizer.ggml.tokens").ToList();
        var types = (metadata.ContainsKey("tokenizer.ggml.token_type")
            ? metadata.GetInt32Array("tokenizer.ggml.token_type")
            : Enumerable.Repeat(1, texts.Count)).ToList();
        var originalCount = texts.Count;
        foreach (var (text, type) in tokens)
        {
            var id = texts.IndexOf(text);
            if (id >= 0)
            {
                types[id] = type;
                continue;
            }
            texts.Add(text);
            types.Add(type);
        }
        metadata.Set("tokenizer.ggml.tokens", Array(GgufValueType.String, texts.ToArray()));
        metadata.Set("tokenizer.ggml.token_type", Array(GgufValueType.Int32, types.ToArray()));
        if (metadata.ContainsKey("tokenizer.ggml.scores"))
        {
            var scores = metadata.GetFloat32Array("tokenizer.ggml.scores");
            metadata.Set("tokenizer.ggml.scores", Array(GgufValueType.Float32, [.. scores, .. new float[texts.Count - originalCount]]));
        }
        return metadata;
    }

    private static GgufValue Array<T>(GgufValueType elementType, T[] items) => new(GgufValueType.Array, new GgufArray(elementType, items));
}
