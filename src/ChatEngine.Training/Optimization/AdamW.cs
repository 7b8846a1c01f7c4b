using ChatEngine.Training.Lora;

namespace ChatEngine.Training.Optimization;

/// <summary>
/// AdamW (decoupled weight decay) over every factor of a LoRA adapter, with global gradient-norm clipping. The moment
/// estimates are part of a checkpoint, so a resumed run continues bit for bit.
/// </summary>
public sealed class AdamW
{
    private readonly LoraAdapter _adapter;
    private readonly float _beta1, _beta2, _epsilon, _weightDecay;

    public AdamW(LoraAdapter adapter, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
    {
        _adapter = adapter;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
        FirstMoments = adapter.Pairs.SelectMany(p => new[] { new float[p.A.Length], new float[p.B.Length] }).ToArray();
        SecondMoments = adapter.Pairs.SelectMany(p => new[] { new float[p.A.Length], new float[p.B.Length] }).ToArray();
    }

    /// <summary>Steps taken so far (the bias correction's t).</summary>
    public int StepCount { get; set; }

    /// <summary>Per parameter tensor (A then B of each pair, in adapter order): the running mean of gradients.</summary>
    public float[][] FirstMoments { get; }

    /// <summary>Same layout: the running mean of squared gradients.</summary>
    public float[][] SecondMoments { get; }

    /// <summary>The L2 norm of all gradients together.</summary>
    public double GradientNorm()
    {
        var sum = 0.0;
        foreach (var gradient in Gradients())
            foreach (var g in gradient) sum += (double)g * g;
        return Math.Sqrt(sum);
    }

    /// <summary>Clips the gradients to <paramref name="maxNorm"/> (≤ 0: no clipping) and applies one update at <paramref name="learningRate"/>.</summary>
    public void Step(float learningRate, float maxNorm)
    {
        var norm = GradientNorm();
        var clip = maxNorm > 0 && norm > maxNorm ? (float)(maxNorm / norm) : 1f;
        StepCount++;
        var correction1 = 1 - Math.Pow(_beta1, StepCount);
        var correction2 = 1 - Math.Pow(_beta2, StepCount);
        var parameters = Parameters().ToArray();
        var gradients = Gradients().ToArray();
        for (var tensor = 0; tensor < parameters.Length; tensor++)
        {
            var p = parameters[tensor];
            var g = gradients[tensor];
            var m = FirstMoments[tensor];
            var v = SecondMoments[tensor];
            for (var i = 0; i < p.Length; i++)
            {
                var gradient = g[i] * clip;
                m[i] = _beta1 * m[i] + (1 - _beta1) * gradient;
                v[i] = _beta2 * v[i] + (1 - _beta2) * gradient * gradient;
                var update = (float)(m[i] / correction1 / (Math.Sqrt(v[i] / correction2) + _epsilon));
                p[i] -= learningRate * (update + _weightDecay * p[i]);
            }
        }
    }

    private IEnumerable<float[]> Parameters() => _adapter.Pairs.SelectMany(p => new[] { p.A, p.B });

    private IEnumerable<float[]> Gradients() => _adapter.Pairs.SelectMany(p => new[] { p.GradA, p.GradB });
}
