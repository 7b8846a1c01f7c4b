namespace ChatEngine.Text;

/// <summary>Per-token attributes as llama.cpp derives them (llama_token_attr): the type plus strip flags.</summary>
[Flags]
internal enum TokenAttributes
{
    None = 0,
    Undefined = 1 << 0,
    Unknown = 1 << 1,
    Unused = 1 << 2,
    Normal = 1 << 3,
    Control = 1 << 4,
    UserDefined = 1 << 5,
    Byte = 1 << 6,
    LStrip = 1 << 8,
    RStrip = 1 << 9,

    TypeMask = Undefined | Unknown | Unused | Normal | Control | UserDefined | Byte,
}

internal static class TokenAttributesExtensions
{
    public static TokenAttributes FromTokenType(int type) => type switch
    {
        (int)TokenType.Normal => TokenAttributes.Normal,
        (int)TokenType.Unknown => TokenAttributes.Unknown,
        (int)TokenType.Control => TokenAttributes.Control,
        (int)TokenType.UserDefined => TokenAttributes.UserDefined,
        (int)TokenType.Unused => TokenAttributes.Unused,
        (int)TokenType.Byte => TokenAttributes.Byte,
        _ => TokenAttributes.Undefined,
    };

    public static TokenType ToTokenType(this TokenAttributes attributes) => (attributes & TokenAttributes.TypeMask) switch
    {
        TokenAttributes.Normal => TokenType.Normal,
        TokenAttributes.Unknown => TokenType.Unknown,
        TokenAttributes.Control => TokenType.Control,
        TokenAttributes.UserDefined => TokenType.UserDefined,
        TokenAttributes.Unused => TokenType.Unused,
        TokenAttributes.Byte => TokenType.Byte,
        _ => TokenType.Undefined,
    };

    public static bool Has(this TokenAttributes attributes, TokenAttributes flags) => (attributes & flags) != 0;
}
