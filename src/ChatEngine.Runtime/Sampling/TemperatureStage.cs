namespace ChatEngine.Runtime.Sampling;

/// <summary>Divides every logit by a positive temperature (below 1 sharpens, above 1 flattens the distribution).
/// Temperature 0 (greedy) is not a stage: <see cref="SamplerChain"/> selects the arg-max instead.</summary>
public sealed class TemperatureStage : ISamplerStage
{
    public TemperatureStage(float temperature)
    {
        if (!(temperature > 0f) || !float.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "a temperature stage needs a finite temperature > 0");
        Temperature = temperature;
    }

    public float Temperature { get; }

    public string Name => "temperature";

    public void Apply(CandidateList candidates)
    {
        foreach (ref var c in candidates.Items) c.Logit /= Temperature;
        // Division is monotone, but rounding can create new ties whose id order differs from the current order.
        candidates.OnLogitsChanged();
    }
}
