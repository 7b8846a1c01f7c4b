namespace ChatEngine.Training.Data;

/// <summary>
/// One training row: whole documents laid end to end. Each token attends only within its own document and gets its
/// RoPE position from the document's start. <see cref="Targets"/>[t] is the token to predict after position t, or -1
/// where no loss is taken (the next token is not an assistant token, or t ends a document).
/// </summary>
public sealed class PackedSequence
{
    public PackedSequence(IReadOnlyList<TrainingExample> documents)
    {
        var length = documents.Sum(d => d.Tokens.Length);
        Tokens = new int[length];
        Targets = new int[length];
        Positions = new int[length];
        SegmentStarts = new int[length];
        var start = 0;
        foreach (var document in documents)
        {
            for (var i = 0; i < document.Tokens.Length; i++)
            {
                Tokens[start + i] = document.Tokens[i];
                Positions[start + i] = i;
                SegmentStarts[start + i] = start;
                Targets[start + i] = i + 1 < document.Tokens.Length && document.IsTarget[i + 1] ? document.Tokens[i + 1] : -1;
            }
            start += document.Tokens.Length;
        }
        TargetCount = Targets.Count(t => t >= 0);
    }

    public int[] Tokens { get; }
    public int[] Targets { get; }
    public int[] Positions { get; }
    public int[] SegmentStarts { get; }
    public int Length => Tokens.Length;
    public int TargetCount { get; }
}
