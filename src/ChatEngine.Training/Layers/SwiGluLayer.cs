using ChatEngine.Kernels.Ops;

namespace ChatEngine.Training.Layers;

/// <summary>h = silu(g) · u (Kernels op forward); backward: du = dh · silu(g), dg = dh · u · σ(g)(1 + g(1 − σ(g))).</summary>
internal static class SwiGluLayer
{
    public static void Forward(float[] gate, float[] up, int count, float[] output) =>
        Activations.SwiGlu(gate.AsSpan(0, count), up.AsSpan(0, count), output);

    public static void Backward(float[] gate, float[] up, float[] dh, int count, float[] dGate, float[] dUp)
    {
        for (var i = 0; i < count; i++)
        {
            var g = gate[i];
            var sigmoid = 1 / (1 + MathF.Exp(-g));
            dUp[i] = dh[i] * g * sigmoid;
            dGate[i] = dh[i] * up[i] * sigmoid * (1 + g * (1 - sigmoid));
        }
    }
}
