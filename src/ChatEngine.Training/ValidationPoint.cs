namespace ChatEngine.Training;

/// <summary>Mean validation loss after <see cref="Step"/> optimizer steps (<see cref="Epoch"/> epochs done).</summary>
public sealed record ValidationPoint(int Step, int Epoch, float Loss)
{
    public double Perplexity => Math.Exp(Loss);
}
