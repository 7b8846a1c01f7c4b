using System.Text;
using ChatEngine.Gguf;
using ChatEngine.Text.PreTokenizer;

namespace ChatEngine.Text;

/// <summary>
/// The vocabulary and special-token facts of a GGUF file, derived with llama.cpp's rules (llama_vocab::impl::load):
/// defaults per tokenizer model, overrides from tokenizer.ggml.* keys, and the text-based detection of
/// end-of-turn / FIM tokens, which also forces those tokens to be control tokens.
/// </summary>
internal sealed class Vocabulary
{
    private const string Prefix = "tokenizer.ggml.";

    private static readonly string[] EotTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<｜end▁of▁sentence｜>"];
    private static readonly string[] EomTexts = ["<|eom_id|>"];
    private static readonly string[] FimPreTexts = ["<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>"];
    private static readonly string[] FimSufTexts = ["<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>"];
    private static readonly string[] FimMidTexts = ["<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>"];
    private static readonly string[] FimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<PAD>"];
    private static readonly string[] FimRepTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"];
    private static readonly string[] FimSepTexts = ["<|file_sep|>"];
    private static readonly string[] EogTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>"];

    private readonly Utf8TokenMap _map;
    private readonly Dictionary<string, int> _idByText = new(StringComparer.Ordinal);

    /// <param name="metadata">The GGUF metadata.</param>
    /// <param name="kind">The tokenizer model the metadata names.</param>
    /// <param name="preTokenizer">For BPE, the pre-tokenizer family, which may imply BOS settings.</param>
    public Vocabulary(GgufMetadata metadata, TokenizerKind kind, BpePreTokenizer? preTokenizer)
    {
        Kind = kind;
        metadata.TryGetString(Prefix + "pre", out var pre);
        PreName = pre;

        Texts = metadata.GetStringArray(Prefix + "tokens");
        var count = Texts.Length;
        Scores = metadata.ContainsKey(Prefix + "scores") ? metadata.GetFloat32Array(Prefix + "scores") : new float[count];
        RequireLength(Scores.Length, "scores", count);
        Attributes = new TokenAttributes[count];
        if (metadata.ContainsKey(Prefix + "token_type"))
        {
            var types = metadata.GetInt32Array(Prefix + "token_type");
            RequireLength(types.Length, "token_type", count);
            for (var i = 0; i < count; i++) Attributes[i] = TokenAttributesExtensions.FromTokenType(types[i]);
        }
        else
        {
            Array.Fill(Attributes, TokenAttributes.Normal);
        }

        Utf8 = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (Texts[i].Length == 0) Texts[i] = $"[EMPTY_{i}]";
            Utf8[i] = Encoding.UTF8.GetBytes(Texts[i]);
            _idByText[Texts[i]] = i;
        }
        _map = new Utf8TokenMap(Utf8);

        if (Kind == TokenizerKind.Spm)
        {
            (BosId, EosId, UnknownId) = (1, 2, 0);
            (AddSpacePrefix, AddBos, AddEos) = (true, true, false);
        }
        else
        {
            (BosId, EosId, UnknownId) = (preTokenizer?.ClearsBos == true ? -1 : 11, 11, -1);
            AddBos = preTokenizer?.AddsBos == true;
        }

        BosId = SpecialId(metadata, "bos_token_id", BosId);
        EosId = SpecialId(metadata, "eos_token_id", EosId);
        EotId = SpecialId(metadata, "eot_token_id", -1);
        EomId = SpecialId(metadata, "eom_token_id", -1);
        UnknownId = SpecialId(metadata, "unknown_token_id", UnknownId);
        SeparatorId = SpecialId(metadata, "seperator_token_id", -1);
        PaddingId = SpecialId(metadata, "padding_token_id", -1);
        var fimPre = SpecialId(metadata, "fim_pre_token_id", SpecialId(metadata, "prefix_token_id", -1));
        var fimSuf = SpecialId(metadata, "fim_suf_token_id", SpecialId(metadata, "suffix_token_id", -1));
        var fimMid = SpecialId(metadata, "fim_mid_token_id", SpecialId(metadata, "middle_token_id", -1));
        var fimPad = SpecialId(metadata, "fim_pad_token_id", -1);
        var fimRep = SpecialId(metadata, "fim_rep_token_id", -1);
        var fimSep = SpecialId(metadata, "fim_sep_token_id", -1);

        if (metadata.TryGetBool(Prefix + "add_space_prefix", out var addSpacePrefix)) AddSpacePrefix = addSpacePrefix;
        if (metadata.TryGetBool(Prefix + "add_bos_token", out var addBos)) AddBos = addBos;
        if (metadata.TryGetBool(Prefix + "add_eos_token", out var addEos)) AddEos = addEos;

        EotId = DetectByText(EotId, EotTexts);
        EomId = DetectByText(EomId, EomTexts);
        DetectByText(fimPre, FimPreTexts);
        DetectByText(fimSuf, FimSufTexts);
        DetectByText(fimMid, FimMidTexts);
        fimPad = DetectByText(fimPad, FimPadTexts);
        fimRep = DetectByText(fimRep, FimRepTexts);
        fimSep = DetectByText(fimSep, FimSepTexts);

        var eog = new HashSet<int>();
        foreach (var id in (int[])[fimPad, fimRep, fimSep]) if (id >= 0) eog.Add(id);
        foreach (var text in EogTexts)
        {
            if (!_idByText.TryGetValue(text, out var id)) continue;
            eog.Add(id);
            MakeControl(id);
        }
        foreach (var id in (int[])[EosId, EotId, EomId]) if (id >= 0) eog.Add(id);
        EndOfGeneration = eog;

        SpecialTokens = Enumerable.Range(0, count)
            .Where(id => Attributes[id].Has(TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown))
            .OrderByDescending(id => Utf8[id].Length)
            .ThenBy(id => id)
            .ToArray();

        ApplyModelSpecificAttributes(metadata);
    }

    public TokenizerKind Kind { get; }
    public string? PreName { get; }
    public string[] Texts { get; }
    public byte[][] Utf8 { get; }
    public float[] Scores { get; }
    public TokenAttributes[] Attributes { get; }
    public int Count => Texts.Length;

    public int BosId { get; }
    public int EosId { get; }
    public int EotId { get; }
    public int EomId { get; }
    public int UnknownId { get; }
    public int SeparatorId { get; }
    public int PaddingId { get; }
    public bool AddSpacePrefix { get; }
    public bool AddBos { get; }
    public bool AddEos { get; }
    public IReadOnlySet<int> EndOfGeneration { get; }

    /// <summary>Control, user-defined and unknown tokens, longest text first: the order special tokens are matched in.</summary>
    public int[] SpecialTokens { get; }

    /// <summary>Token id whose UTF-8 text is exactly <paramref name="text"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> text) => _map.Find(text);

    private int SpecialId(GgufMetadata metadata, string key, int fallback) =>
        metadata.TryGetUInt32(Prefix + key, out var id) && id < (uint)Count ? (int)id : fallback;

    private int DetectByText(int current, string[] texts)
    {
        if (current >= 0) return current;
        for (var id = 0; id < Count; id++)
        {
            if (Array.IndexOf(texts, Texts[id]) < 0) continue;
            MakeControl(id);
            return id;
        }
        return -1;
    }

    private void MakeControl(int id)
    {
        if (!Attributes[id].Has(TokenAttributes.Control)) Attributes[id] = TokenAttributes.Control;
    }

    // llama.cpp sets strip attributes by model name because GGUF does not store them.
    private void ApplyModelSpecificAttributes(GgufMetadata metadata)
    {
        metadata.TryGetString("general.name", out var name);
        name = name?.ToLowerInvariant() ?? "";
        if (PreName is "jina-v2-de" or "jina-v2-es" or "jina-v2-code" && _idByText.TryGetValue("<mask>", out var mask))
        {
            Attributes[mask] |= TokenAttributes.LStrip;
        }
        else if (name.Contains("phi-3", StringComparison.Ordinal) || name.Contains("phi3", StringComparison.Ordinal))
        {
            foreach (var id in SpecialTokens) Attributes[id] |= TokenAttributes.RStrip;
            if (_idByText.TryGetValue("</s>", out var eos)) Attributes[eos] |= TokenAttributes.RStrip;
            foreach (var text in (string[])["<unk>", "<s>", "<|endoftext|>"])
            {
                if (_idByText.TryGetValue(text, out var id)) Attributes[id] &= ~TokenAttributes.RStrip;
            }
        }
    }

    private void RequireLength(int actual, string key, int expected)
    {
        if (actual != expected)
            throw new GgufFormatException($"{Prefix}{key} has {actual} entries but {Prefix}tokens has {expected}");
    }
}
