using System.Text;

namespace ChatEngine.Text.Detokenizer;

/// <summary>What one <see cref="StreamingDetokenizer.Push"/> produced.</summary>
/// <param name="Text">Text that is now final (may be empty).</param>
/// <param name="Stopped">A stop sequence was completed; <paramref name="Text"/> is what preceded it.</param>
public readonly record struct StreamingResult(string Text, bool Stopped);

/// <summary>
/// Turns generated token ids into text incrementally, as llama.cpp's server does: each token contributes its piece
/// (<see cref="Tokenizer.TokenToPiece"/>, leading spaces kept), bytes are held until they complete a UTF-8
/// character, and text that could be the beginning of a stop sequence is held until it is decided. Without stop
/// sequences the concatenated output (all pushes, then <see cref="Flush"/>) equals
/// <see cref="Tokenizer.DecodePieces"/> of the same ids. Not thread-safe.
/// </summary>
public sealed class StreamingDetokenizer
{
    private readonly Tokenizer _tokenizer;
    private readonly string[] _stopSequences;
    private readonly bool _unparseSpecial;
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly StringBuilder _pending = new();
    private char[] _chars = new char[64];

    /// <param name="tokenizer">The tokenizer the ids come from.</param>
    /// <param name="stopSequences">Generation stops when the text contains one of these; they are not emitted.</param>
    /// <param name="unparseSpecial">Render control tokens as their text (llama.cpp's "special" flag).</param>
    public StreamingDetokenizer(Tokenizer tokenizer, IEnumerable<string>? stopSequences = null, bool unparseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _stopSequences = stopSequences?.Where(s => !string.IsNullOrEmpty(s)).ToArray() ?? [];
        _unparseSpecial = unparseSpecial;
    }

    /// <summary>A stop sequence has been seen; further pushes produce nothing.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds one token and returns the text that became final.</summary>
    public StreamingResult Push(int id)
    {
        if (Stopped) return new StreamingResult("", true);
        var piece = _tokenizer.TokenToPiece(id, _unparseSpecial);
        Decode(piece, flush: false);
        return Release(final: false);
    }

    /// <summary>Ends the stream: incomplete UTF-8 becomes U+FFFD and held-back text is released.</summary>
    public string Flush()
    {
        if (Stopped) return "";
        Decode([], flush: true);
        var result = Release(final: true);
        return result.Text;
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _decoder.GetCharCount(bytes, flush);
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var count = _decoder.GetChars(bytes, _chars, flush);
        _pending.Append(_chars, 0, count);
    }

    private StreamingResult Release(bool final)
    {
        if (_stopSequences.Length == 0 || _pending.Length == 0) return new StreamingResult(Take(_pending.Length), false);

        var text = _pending.ToString();
        var stopAt = -1;
        foreach (var stop in _stopSequences)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) stopAt = at;
        }
        if (stopAt >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return new StreamingResult(text[..stopAt], true);
        }
        var keep = final ? 0 : LongestStopPrefixSuffix(text);
        return new StreamingResult(Take(text.Length - keep), false);
    }

    // Length of the longest end of `text` that is a proper beginning of some stop sequence.
    private int LongestStopPrefixSuffix(string text)
    {
        var best = 0;
        foreach (var stop in _stopSequences)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > best; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }

    private string Take(int length)
    {
        var result = _pending.ToString(0, length);
        _pending.Remove(0, length);
        return result;
    }
}
