namespace ChatEngine.Text;

/// <summary>
/// The kind of a vocabulary entry, numbered as GGUF's <c>tokenizer.ggml.token_type</c> (llama.cpp's llama_token_type).
/// </summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
