using ChatEngine.Gguf;

namespace ChatEngine.TestData;

/// <summary>A real vocabulary's GGUF metadata with tokens appended, for tokenizer cases no shipped vocabulary has.</summary>
public static class AddedTokens
{
    /// <summary>GGUF token type of a control token (llama.cpp's LLAMA_TOKEN_TYPE_CONTROL).</summary>
    public const int Control = 3;

    /// <summary>GGUF token type of a user-defined token (LLAMA_TOKEN_TYPE_USER_DEFINED).</summary>
    public const int UserDefined = 4;

    /// <summary>
    /// The metadata of <paramref name="ggufPath"/> with <paramref name="tokens"/> appended to
    /// <c>tokenizer.ggml.tokens</c> / <c>token_type</c> (and <c>scores</c>, score 0, when the file has them).
    /// </summary>
    public static GgufMetadata Append(string ggufPath, IEnumerable<(string Text, int Type)> tokens)
    {
        using var file = GgufFile.Open(ggufPath);
        var metadata = new GgufMetadata(file.Metadata);
        var added = tokens.ToArray();
        var texts = metadata.GetStringArray("tokenizer.ggml.tokens");
        metadata.Set("tokenizer.ggml.tokens", Array(GgufValueType.String, [.. texts, .. added.Select(t => t.Text)]));
        var types = metadata.ContainsKey("tokenizer.ggml.token_type") ? metadata.GetInt32Array("tokenizer.ggml.token_type") : Enumerable.Repeat(1, texts.Length).ToArray();
        metadata.Set("tokenizer.ggml.token_type", Array(GgufValueType.Int32, [.. types, .. added.Select(t => t.Type)]));
        if (metadata.ContainsKey("tokenizer.ggml.scores"))
            metadata.Set("tokenizer.ggml.scores", Array(GgufValueType.Float32, [.. metadata.GetFloat32Array("tokenizer.ggml.scores"), .. new float[added.Length]]));
        return metadata;
    }

    private static GgufValue Array<T>(GgufValueType elementType, T[] items) => new(GgufValueType.Array, new GgufArray(elementType, items));
}
