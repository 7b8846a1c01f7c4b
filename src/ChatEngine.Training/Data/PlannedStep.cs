namespace ChatEngine.Training.Data;

/// <summary>One optimizer step: the rows whose gradients it accumulates; <see cref="EndsEpoch"/> on an epoch's last step.</summary>
public sealed record PlannedStep(int Epoch, bool EndsEpoch, IReadOnlyList<PackedSequence> Rows)
{
    public int TargetCount => Rows.Sum(r => r.TargetCount);
    public int TokenCount => Rows.Sum(r => r.Length);
}
