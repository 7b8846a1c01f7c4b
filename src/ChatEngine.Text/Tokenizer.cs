using System.Globalization;
using System.Text;
using ChatEngine.Gguf;
using ChatEngine.Text.Detokenizer;
using ChatEngine.Text.Model;
using ChatEngine.Text.PreTokenizer;

namespace ChatEngine.Text;

/// <summary>
/// A tokenizer built from GGUF metadata that reproduces llama.cpp (Feb 2025): <see cref="Encode(string,bool,bool)"/>
/// is llama_tokenize, <see cref="TokenToPiece"/> is llama_token_to_piece, <see cref="Decode"/> is llama_detokenize.
/// Thread-safe: all state after construction is read-only or concurrent.
/// </summary>
public sealed class Tokenizer
{
    private readonly Vocabulary _vocabulary;
    private readonly ITokenizerModel _model;
    private readonly byte[][] _pieces;
    private readonly bool _cleanSpaces;

    private Tokenizer(Vocabulary vocabulary, ITokenizerModel model, bool cleanSpaces, string? preTokenizer)
    {
        _vocabulary = vocabulary;
        _model = model;
        _cleanSpaces = cleanSpaces;
        PreTokenizer = preTokenizer;
        _pieces = new byte[vocabulary.Count][];
        for (var id = 0; id < _pieces.Length; id++) _pieces[id] = RenderPiece(id);
        LongestTokenBytes = Math.Max(_pieces.Max(piece => piece.Length), MaxUtf8CharBytes);
        ControlTokenTexts = vocabulary.SpecialTokens
            .Where(id => vocabulary.Attributes[id].Has(TokenAttributes.Control | TokenAttributes.Unknown))
            .Select(id => vocabulary.Texts[id])
            .ToArray();
    }

    private const int MaxUtf8CharBytes = 4;

    /// <summary>
    /// The most bytes of text one token can stand for (the longest piece, and at least one UTF-8 character for an
    /// unknown one): text of more than N × this many bytes has more than N tokens, which is known without tokenizing.
    /// </summary>
    public int LongestTokenBytes { get; }

    /// <summary>
    /// Builds the tokenizer from the <c>tokenizer.ggml.*</c> keys. Throws <see cref="NotSupportedException"/> for a
    /// tokenizer model other than llama (SPM) / gpt2 (BPE) or an unsupported pre-tokenizer, and
    /// <see cref="GgufFormatException"/> for missing or inconsistent keys.
    /// </summary>
    public static Tokenizer FromGguf(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var model = metadata.GetString("tokenizer.ggml.model");
        switch (model)
        {
            case "llama":
            {
                var vocabulary = new Vocabulary(metadata, TokenizerKind.Spm, null);
                return new Tokenizer(vocabulary, new SpmModel(vocabulary), cleanSpaces: false, preTokenizer: null);
            }
            case "gpt2":
            {
                metadata.TryGetString("tokenizer.ggml.pre", out var pre);
                var preTokenizer = BpePreTokenizer.ForName(pre);
                var vocabulary = new Vocabulary(metadata, TokenizerKind.Bpe, preTokenizer);
                if (!metadata.ContainsKey("tokenizer.ggml.merges"))
                    throw new GgufFormatException("BPE tokenizer needs tokenizer.ggml.merges, which is missing");
                var merges = new BpeMergeTable(metadata.GetStringArray("tokenizer.ggml.merges"));
                return new Tokenizer(vocabulary, new BpeModel(vocabulary, preTokenizer, merges), preTokenizer.CleanSpaces, preTokenizer.Name);
            }
            default:
                throw new NotSupportedException(
                    $"tokenizer model '{model}' (tokenizer.ggml.model) is not supported: only 'llama' (SPM) and 'gpt2' (BPE) are");
        }
    }

    public TokenizerKind Kind => _vocabulary.Kind;

    /// <summary>The BPE pre-tokenizer family in use ("gpt-2", "llama3", "qwen2", "default" ...); null for SPM.</summary>
    public string? PreTokenizer { get; }

    public int VocabSize => _vocabulary.Count;
    public int BosTokenId => _vocabulary.BosId;

    /// <summary>End-of-sequence token, -1 if none.</summary>
    public int EosTokenId => _vocabulary.EosId;

    /// <summary>End-of-turn token (from the GGUF or detected by text like "&lt;|im_end|&gt;"), -1 if none.</summary>
    public int EotTokenId => _vocabulary.EotId;

    /// <summary>End-of-message token ("&lt;|eom_id|&gt;"), -1 if none.</summary>
    public int EomTokenId => _vocabulary.EomId;

    public int UnknownTokenId => _vocabulary.UnknownId;
    public int PaddingTokenId => _vocabulary.PaddingId;
    public int SeparatorTokenId => _vocabulary.SeparatorId;

    /// <summary>Encode adds BOS when asked to add special tokens.</summary>
    public bool AddBos => _vocabulary.AddBos;

    /// <summary>Encode adds EOS when asked to add special tokens.</summary>
    public bool AddEos => _vocabulary.AddEos;

    /// <summary>SPM: text gets a leading space (U+2581) at the start and after special tokens; decode removes it.</summary>
    public bool AddSpacePrefix => _vocabulary.AddSpacePrefix;

    /// <summary>All tokens that end generation (EOS, EOT, EOM, FIM pad/repo/sep and the ones llama.cpp knows by text).</summary>
    public IReadOnlySet<int> EndOfGenerationTokens => _vocabulary.EndOfGeneration;

    public bool IsEndOfGeneration(int id) => _vocabulary.EndOfGeneration.Contains(id);

    /// <summary>
    /// The texts of the control and unknown tokens: those <see cref="Encode(string,bool,bool)"/> recognises only when
    /// special tokens are parsed.
    /// </summary>
    public IReadOnlyList<string> ControlTokenTexts { get; }

    /// <summary>The raw vocabulary string of a token (e.g. "▁the", "Ġthe", "&lt;0x0A&gt;").</summary>
    public string TokenText(int id) => _vocabulary.Texts[CheckId(id)];

    /// <summary>The token's type after llama.cpp's adjustments (e.g. detected end-of-turn tokens are control).</summary>
    public TokenType GetTokenType(int id) => _vocabulary.Attributes[CheckId(id)].ToTokenType();

    public float TokenScore(int id) => _vocabulary.Scores[CheckId(id)];

    /// <summary>The token id whose vocabulary string is exactly <paramref name="text"/>, or -1.</summary>
    public int FindToken(string text) => _vocabulary.Find(Encoding.UTF8.GetBytes(text));

    /// <summary>Tokenizes <paramref name="text"/> (llama_tokenize).</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Add BOS/EOS as the model asks (<see cref="AddBos"/>, <see cref="AddEos"/>).</param>
    /// <param name="parseSpecial">Recognise control tokens such as "&lt;s&gt;" in the text; otherwise they are plain text.</param>
    public int[] Encode(string text, bool addSpecial = true, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(Encoding.UTF8.GetBytes(text), addSpecial, parseSpecial);
    }

    /// <summary>Tokenizes UTF-8 bytes (llama_tokenize); invalid sequences are handled as llama.cpp handles them.</summary>
    public int[] Encode(ReadOnlySpan<byte> utf8, bool addSpecial = true, bool parseSpecial = false) => Encode(utf8, addSpecial, parseSpecial, []);

    /// <summary>
    /// Tokenizes UTF-8 bytes as <see cref="Encode(ReadOnlySpan{byte},bool,bool)"/> does, except that no control or
    /// unknown token is recognised where it would overlap one of <paramref name="literal"/>: those bytes stay text
    /// (user-defined tokens still match, as they do in plain text). A chat prompt passes its messages' content here.
    /// </summary>
    /// <param name="utf8">The text.</param>
    /// <param name="addSpecial">Add BOS/EOS as the model asks.</param>
    /// <param name="parseSpecial">Recognise control tokens outside <paramref name="literal"/>.</param>
    /// <param name="literal">Non-empty ranges of <paramref name="utf8"/>, sorted and disjoint.</param>
    /// <exception cref="ArgumentException">A range is empty, outside the text, or not after the one before it.</exception>
    public int[] Encode(ReadOnlySpan<byte> utf8, bool addSpecial, bool parseSpecial, ReadOnlySpan<ByteRange> literal)
    {
        var previousEnd = 0;
        for (var i = 0; i < literal.Length; i++)
        {
            var range = literal[i];
            if (range.Length <= 0 || range.Offset < previousEnd || range.Offset > utf8.Length - range.Length)
                throw new ArgumentException($"literal range {i} ({range.Offset}, {range.Length}) is empty, outside the {utf8.Length}-byte text or not after range {i - 1}", nameof(literal));
            previousEnd = range.End;
        }

        var output = new List<int>(utf8.Length / 3 + 2);
        if (addSpecial && _vocabulary.AddBos) output.Add(RequireSpecial(_vocabulary.BosId, "BOS"));

        var afterSpecial = true;
        foreach (var fragment in SpecialTokenPartitioner.Partition(utf8, _vocabulary, parseSpecial, literal))
        {
            if (fragment.IsToken)
            {
                output.Add(fragment.TokenId);
                afterSpecial = true;
            }
            else
            {
                _model.Encode(utf8.Slice(fragment.Offset, fragment.Length), afterSpecial, output);
                afterSpecial = false;
            }
        }

        if (addSpecial && _vocabulary.AddEos) output.Add(RequireSpecial(_vocabulary.EosId, "EOS"));
        return [.. output];
    }

    /// <summary>
    /// The bytes a token stands for (llama_token_to_piece with lstrip 0). Control and unknown tokens give nothing
    /// unless <paramref name="special"/> is set. A piece can be part of a UTF-8 character (byte tokens).
    /// </summary>
    public ReadOnlySpan<byte> TokenToPiece(int id, bool special = false)
    {
        var attributes = _vocabulary.Attributes[CheckId(id)];
        return !special && attributes.Has(TokenAttributes.Control | TokenAttributes.Unknown) ? [] : _pieces[id];
    }

    /// <summary>
    /// Detokenizes (llama_detokenize): with <paramref name="removeSpecial"/> a leading BOS / trailing EOS the model adds
    /// is dropped; the SPM prefix space of the first token is removed unless a BOS was dropped; BPE vocabularies with
    /// clean_spaces tidy spaces before punctuation. Invalid UTF-8 in the result becomes U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool removeSpecial = true, bool unparseSpecial = false) =>
        Encoding.UTF8.GetString(DecodeToUtf8(ids, removeSpecial, unparseSpecial));

    /// <summary><see cref="Decode"/> without the final UTF-8 decoding.</summary>
    public byte[] DecodeToUtf8(ReadOnlySpan<int> ids, bool removeSpecial = true, bool unparseSpecial = false)
    {
        var removeSpace = _vocabulary.AddSpacePrefix;
        if (removeSpecial && _vocabulary.AddBos && ids.Length > 0 && ids[0] == _vocabulary.BosId)
        {
            removeSpace = false;
            ids = ids[1..];
        }
        if (removeSpecial && _vocabulary.AddEos && ids.Length > 0 && ids[^1] == _vocabulary.EosId) ids = ids[..^1];

        var bytes = new List<byte>(ids.Length * 4);
        foreach (var id in ids)
        {
            var piece = TokenToPiece(id, unparseSpecial);
            if (removeSpace && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
            removeSpace = false;
            bytes.AddRange(piece);
        }

        var text = bytes.ToArray();
        return _cleanSpaces ? text.AsSpan(0, SpaceCleanup.Apply(text)).ToArray() : text;
    }

    /// <summary>
    /// The plain concatenation of <see cref="TokenToPiece"/> (no space removal, no clean-up), decoded as UTF-8: what
    /// llama.cpp's server emits for generated tokens, and what <see cref="StreamingDetokenizer"/> produces.
    /// </summary>
    public string DecodePieces(ReadOnlySpan<int> ids, bool unparseSpecial = false)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (var id in ids) bytes.AddRange(TokenToPiece(id, unparseSpecial));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private int CheckId(int id) =>
        (uint)id < (uint)_vocabulary.Count ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the vocabulary [0, {_vocabulary.Count})");

    private static int RequireSpecial(int id, string name) =>
        id >= 0 ? id : throw new InvalidOperationException($"the vocabulary asks for {name} but has no {name} token");

    // The piece as llama.cpp caches it (token_to_piece with special = true).
    private byte[] RenderPiece(int id)
    {
        var attributes = _vocabulary.Attributes[id];
        var text = _vocabulary.Texts[id];
        if (attributes.Has(TokenAttributes.Unknown | TokenAttributes.Control | TokenAttributes.UserDefined)) return _vocabulary.Utf8[id];
        if (_vocabulary.Kind == TokenizerKind.Spm)
        {
            if (attributes.Has(TokenAttributes.Normal)) return Encoding.UTF8.GetBytes(text.Replace('\u2581', ' '));
            if (attributes.Has(TokenAttributes.Byte)) return [ParseByteToken(text)];
            return [];
        }
        return attributes.Has(TokenAttributes.Normal) ? DecodeByteLevel(text) : [];
    }

    // "<0xNN>": llama.cpp reads the two characters at offset 3 as hex (strtol: invalid hex gives 0).
    private static byte ParseByteToken(string text) =>
        text.Length >= 5 && byte.TryParse(text.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b) ? b : (byte)0;

    private static byte[] DecodeByteLevel(string text)
    {
        var bytes = new List<byte>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (ByteLevelAlphabet.TryGetByte(rune.Value, out var b))
            {
                bytes.Add(b);
                continue;
            }
            // llama.cpp's marker for a character outside the byte alphabet.
            var utf8 = new byte[rune.Utf8SequenceLength];
            rune.EncodeToUtf8(utf8);
            bytes.AddRange(Encoding.UTF8.GetBytes("[UNK_BYTE_0x" + Convert.ToHexStringLower(utf8) + text + "]"));
        }
        return [.. bytes];
    }
}
