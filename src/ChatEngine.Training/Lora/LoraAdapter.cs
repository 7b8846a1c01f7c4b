using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Lora;

/// <summary>A trainable LoRA adapter for one base model: a <see cref="LoraPair"/> per block and target.</summary>
public sealed class LoraAdapter
{
    private readonly Dictionary<(int, LoraTarget), LoraPair> _byTarget;

    private LoraAdapter(LoraSettings settings, IReadOnlyList<LoraPair> pairs)
    {
        Settings = settings;
        Pairs = pairs;
        _byTarget = pairs.ToDictionary(p => (p.Layer, p.Target));
    }

    public LoraSettings Settings { get; }
    public IReadOnlyList<LoraPair> Pairs { get; }
    public float Scale => Settings.Scale;
    public long ParameterCount => Pairs.Sum(p => (long)p.A.Length + p.B.Length);

    /// <summary>
    /// A fresh adapter: A uniform in ±1/sqrt(inputs) from <paramref name="seed"/>, B zero, so training starts exactly
    /// at the base model.
    /// </summary>
    public static LoraAdapter Create(ModelHyperParameters parameters, LoraSettings settings, int seed)
    {
        settings.Validate();
        var random = new Random(seed);
        var pairs = new List<LoraPair>();
        for (var layer = 0; layer < parameters.LayerCount; layer++)
        {
            foreach (var target in LoraTargets.All.Where(settings.Targets.Contains))
            {
                var (inputs, outputs) = target.Shape(parameters);
                var pair = new LoraPair(layer, target, inputs, outputs, settings.Rank);
                var bound = 1 / MathF.Sqrt(inputs);
                for (var i = 0; i < pair.A.Length; i++) pair.A[i] = (float)(random.NextDouble() * 2 - 1) * bound;
                pairs.Add(pair);
            }
        }
        return new LoraAdapter(settings, pairs);
    }

    public LoraPair? Find(int layer, LoraTarget target) => _byTarget.GetValueOrDefault((layer, target));

    public void ClearGradients()
    {
        foreach (var pair in Pairs) pair.ClearGradients();
    }
}
