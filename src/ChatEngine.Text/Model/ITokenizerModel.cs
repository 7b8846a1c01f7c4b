namespace ChatEngine.Text.Model;

/// <summary>Turns one fragment of plain text (no special tokens in it) into token ids.</summary>
internal interface ITokenizerModel
{
    /// <param name="utf8">The fragment.</param>
    /// <param name="afterSpecial">The fragment starts the text or follows a special token (SPM adds its space prefix then).</param>
    /// <param name="output">Receives the ids.</param>
    void Encode(ReadOnlySpan<byte> utf8, bool afterSpecial, List<int> output);
}
