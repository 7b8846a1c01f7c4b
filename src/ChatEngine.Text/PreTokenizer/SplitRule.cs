namespace ChatEngine.Text.PreTokenizer;

/// <summary>
/// One step of a pre-tokenizer: splits each current segment further. Segments are lengths in code points that
/// together cover the fragment; the text between matches of a rule stays a segment of its own (llama.cpp semantics).
/// </summary>
internal abstract class SplitRule
{
    public abstract List<int> Split(SplitInput input, List<int> segments);
}

/// <summary>A rule that looks at each segment on its own, through the code points and their classes.</summary>
internal abstract class CodepointSplitRule : SplitRule
{
    public sealed override List<int> Split(SplitInput input, List<int> segments)
    {
        var output = new List<int>(segments.Count * 2);
        var start = 0;
        foreach (var length in segments)
        {
            SplitSegment(input, start, start + length, output);
            start += length;
        }
        return output;
    }

    /// <summary>Appends the lengths of the pieces of <c>[begin, end)</c> to <paramref name="output"/>.</summary>
    protected abstract void SplitSegment(SplitInput input, int begin, int end, List<int> output);
}
