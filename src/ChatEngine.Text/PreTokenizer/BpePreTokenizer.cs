namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// Splits text into words before BPE merging, with the rule list llama.cpp uses for the GGUF's
/// <c>tokenizer.ggml.pre</c> value, and carries the vocabulary flags that value implies.
/// Words come out byte-level encoded (see <see cref="ByteLevelAlphabet"/>).
/// </summary>
internal sealed class BpePreTokenizer
{
    // llama.cpp's pattern strings; the ones with Unicode classes are rewritten for the collapsed text.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
    private const string Qwen2Pattern =
        @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string NewlinePattern = "[\r\n]";
    private const string CjkPattern = "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+";
    private const string ThreeDigitsPattern = "[0-9][0-9][0-9]";
    private const string BloomPattern = " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+";

    // DeepSeek LLM's letter class (from its tokenizer.json). The supplementary-plane ranges cannot be written in a .NET
    // class, so code points in them reach the regex as RegexSplitRule.SupplementaryMember.
    private const string DeepSeekLetterPattern =
        "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377"
        + "\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5"
        + "\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D"
        + "\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4"
        + "\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D"
        + "\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4"
        + "\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06"
        + "\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A" + "\uE001]+";

    private static readonly (int, int)[] DeepSeekSupplementaryLetters =
    [
        (0x10400, 0x1044F), (0x104B0, 0x104D3), (0x104D8, 0x104FB), (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2),
        (0x118A0, 0x118DF), (0x1E900, 0x1E943),
    ];

    private readonly SplitRule[] _rules;

    private BpePreTokenizer(string name, SplitRule[] rules)
    {
        Name = name;
        _rules = rules;
    }

    /// <summary>The pre-tokenizer family (llama.cpp's pre type), e.g. "gpt-2", "llama3", "qwen2".</summary>
    public string Name { get; }

    /// <summary>A word that is itself a vocabulary entry is emitted without merging (llama 3 family).</summary>
    public bool IgnoreMerges { get; private init; }

    /// <summary>Detokenization removes spaces before punctuation as llama.cpp's clean_spaces does.</summary>
    public bool CleanSpaces { get; private init; } = true;

    /// <summary>The family forces BOS on (before the GGUF's add_bos_token key is applied).</summary>
    public bool AddsBos { get; private init; }

    /// <summary>The family has no BOS token unless the GGUF names one.</summary>
    public bool ClearsBos { get; private init; }

    /// <summary>The rules for <paramref name="pre"/>; a missing or unknown name gets llama.cpp's "default" rules.</summary>
    public static BpePreTokenizer ForName(string? pre)
    {
        var gpt2 = Gpt2SplitRule.Instance;
        var llama3 = Llama3SplitRule.Instance;
        switch (pre)
        {
            case "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "pixtral":
                return new("llama3", [llama3]) { IgnoreMerges = true, AddsBos = true };
            case "dbrx" or "smaug-bpe":
                return new(pre, [llama3]);
            case "chatglm-bpe" or "glm4":
                return new("chatglm4", [llama3]) { ClearsBos = true };
            case "deepseek-llm":
                return new(pre,
                [
                    RegexSplitRule.OnCodepoints(NewlinePattern),
                    RegexSplitRule.OnCodepoints(DeepSeekLetterPattern, DeepSeekSupplementaryLetters),
                    RegexSplitRule.OnCodepoints("\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+"),
                    RegexSplitRule.OnCodepoints(@"\s+\z"), // llama.cpp's "\s+$": std::regex '$' is only the end
                    RegexSplitRule.OnCodepoints(CjkPattern),
                    RegexSplitRule.WithCategories(@"\p{N}+"),
                ]) { CleanSpaces = false };
            case "deepseek-coder":
                return new(pre,
                [
                    RegexSplitRule.OnCodepoints(NewlinePattern),
                    RegexSplitRule.WithCategories(@"\s?\p{L}+"),
                    RegexSplitRule.WithCategories(@"\s?\p{P}+"),
                    RegexSplitRule.OnCodepoints(CjkPattern),
                    RegexSplitRule.WithCategories(@"\p{N}"),
                ]) { CleanSpaces = false };
            case "falcon":
                return new(pre,
                [
                    RegexSplitRule.WithCategories(@"[\p{P}\$\+<=>\^~\|`]+"),
                    gpt2,
                    RegexSplitRule.OnCodepoints(ThreeDigitsPattern),
                ]);
            case "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v1-en" or "jina-v2-es" or "jina-v2-de"
                or "jina-v2-code" or "roberta-bpe" or "mpt" or "olmo" or "jais":
                return new(pre, [gpt2]);
            case "starcoder" or "refact" or "codeshell" or "exaone" or "minerva-7b":
                return new(pre, [RegexSplitRule.WithCategories(@"\p{N}"), gpt2]);
            case "command-r" or "smollm":
                return new(pre, [RegexSplitRule.WithCategories(@"\p{N}"), gpt2]) { CleanSpaces = false };
            case "qwen2" or "deepseek-r1-qwen":
                return new(pre, [RegexSplitRule.WithCategories(Qwen2Pattern)]) { CleanSpaces = false };
            case "stablelm2" or "megrez":
                return new(pre, [RegexSplitRule.WithCategories(Qwen2Pattern)]);
            case "poro-chat":
                return new(pre, [RegexSplitRule.OnCodepoints(BloomPattern)]) { CleanSpaces = false };
            case "bloom" or "gpt3-finnish":
                return new(pre, [RegexSplitRule.OnCodepoints(BloomPattern)]);
            case "viking":
                return new(pre, [RegexSplitRule.OnCodepoints(BloomPattern), RegexSplitRule.WithCategories(@"\p{N}")]) { CleanSpaces = false };
            case "tekken" or "chameleon" or "gpt-4o" or "deepseek-v3" or "superbpe" or "trillion" or "bailingmoe":
                throw new NotSupportedException($"BPE pre-tokenizer '{pre}' is not supported by ChatEngine.Text");
            default:
                return new("default",
                [
                    RegexSplitRule.WithCategories(@"[\p{P}\$\+<=>\^~\|]+"),
                    gpt2,
                    RegexSplitRule.WithCategories(@"\p{N}+"),
                    RegexSplitRule.OnCodepoints(ThreeDigitsPattern),
                ]);
        }
    }

    /// <summary>Splits a UTF-8 fragment into words, each returned byte-level encoded.</summary>
    public List<string> Split(ReadOnlySpan<byte> utf8)
    {
        var input = new SplitInput(Utf8Codepoints.Decode(utf8));
        var segments = new List<int> { input.Length };
        foreach (var rule in _rules) segments = rule.Split(input, segments);

        var words = new List<string>(segments.Count);
        var bytes = new List<byte>(64);
        var start = 0;
        foreach (var length in segments)
        {
            bytes.Clear();
            for (var i = start; i < start + length; i++) Utf8Codepoints.Append(input.Codepoints[i], bytes);
            words.Add(string.Create(bytes.Count, bytes, static (chars, source) =>
            {
                for (var i = 0; i < chars.Length; i++) chars[i] = ByteLevelAlphabet.CharFor(source[i]);
            }));
            start += length;
        }
        return words;
    }
}
