namespace ChatEngine.Text;

/// <summary>The tokenization algorithm, selected by GGUF's <c>tokenizer.ggml.model</c>.</summary>
public enum TokenizerKind
{
    /// <summary>SentencePiece-style score-driven merges with byte fallback (<c>llama</c>).</summary>
    Spm,

    /// <summary>GPT-2 style byte-level BPE with ranked merges and a regex pre-tokenizer (<c>gpt2</c>).</summary>
    Bpe,
}
