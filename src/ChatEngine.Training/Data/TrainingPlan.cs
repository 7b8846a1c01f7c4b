namespace ChatEngine.Training.Data;

/// <summary>
/// Every optimizer step of a run, fixed by the seed: each epoch shuffles the conversations, packs them first-come into
/// rows of at most the row length, and groups <c>accumulation</c> rows per step. Rebuilt identically on resume.
/// </summary>
public sealed class TrainingPlan
{
    private TrainingPlan(IReadOnlyList<PlannedStep> steps, int epochs)
    {
        Steps = steps;
        Epochs = epochs;
    }

    public IReadOnlyList<PlannedStep> Steps { get; }
    public int Epochs { get; }

    public static TrainingPlan Build(IReadOnlyList<TrainingExample> examples, int rowTokens, int epochs, int accumulation, int seed)
    {
        var steps = new List<PlannedStep>();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var order = examples.ToArray();
            new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
            var rows = Pack(order, rowTokens);
            for (var first = 0; first < rows.Count; first += accumulation)
            {
                var group = rows.Skip(first).Take(accumulation).ToArray();
                steps.Add(new PlannedStep(epoch, first + group.Length == rows.Count, group));
            }
        }
        return new TrainingPlan(steps, epochs);
    }

    /// <summary>
    /// Splits off a seeded random <paramref name="fraction"/> of the conversations as validation data (at least
    /// one, and at least one left to train on, when there are two or more).
    /// </summary>
    public static (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Validation) Split(
        IReadOnlyList<TrainingExample> examples, double fraction, int seed)
    {
        if (fraction <= 0 || examples.Count < 2) return (examples, []);
        var order = examples.ToArray();
        new Random(seed).Shuffle(order);
        var count = Math.Clamp((int)Math.Round(order.Length * fraction), 1, order.Length - 1);
        return (order[count..].OrderBy(e => e.LineNumber).ToArray(), order[..count].OrderBy(e => e.LineNumber).ToArray());
    }

    /// <summary>Packs documents in the given order into rows of at most <paramref name="rowTokens"/> tokens.</summary>
    public static List<PackedSequence> Pack(IEnumerable<TrainingExample> documents, int rowTokens)
    {
        var rows = new List<PackedSequence>();
        var current = new List<TrainingExample>();
        var length = 0;
        foreach (var document in documents)
        {
            if (document.Tokens.Length > rowTokens)
                throw new ArgumentException($"line {document.LineNumber} has {document.Tokens.Length} tokens, more than a row of {rowTokens}");
            if (length + document.Tokens.Length > rowTokens)
            {
                rows.Add(new PackedSequence(current));
                current = [];
                length = 0;
            }
            current.Add(document);
            length += document.Tokens.Length;
        }
        if (current.Count > 0) rows.Add(new PackedSequence(current));
        return rows;
    }
}
