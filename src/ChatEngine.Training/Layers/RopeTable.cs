using ChatEngine.Kernels.Ops;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Layers;

/// <summary>
/// Rotary embedding angles for positions 0..n-1, computed by the Kernels op the inference path uses. The backward
/// pass of a rotation is the rotation by the opposite angle (same cos, negated sin).
/// </summary>
internal sealed class RopeTable
{
    private readonly ModelHyperParameters _p;
    private readonly int _pairs;
    private readonly float[] _cos, _sin, _negativeSin;

    public RopeTable(ModelHyperParameters p, float[]? frequencyFactors, int positions)
    {
        _p = p;
        _pairs = p.RopeDimensions / 2;
        _cos = new float[positions * _pairs];
        _sin = new float[positions * _pairs];
        for (var position = 0; position < positions; position++)
            Rope.ComputeAngles(position, p.RopeDimensions, p.RopeFrequencyBase, p.RopeFrequencyScale, frequencyFactors,
                _cos.AsSpan(position * _pairs, _pairs), _sin.AsSpan(position * _pairs, _pairs));
        _negativeSin = _sin.Select(s => -s).ToArray();
    }

    /// <summary>Rotates each token's <paramref name="heads"/> heads at that token's position.</summary>
    public void Forward(float[] data, int tokens, int heads, int[] positions) => Rotate(data, tokens, heads, positions, _sin);

    /// <summary>Turns the gradient with respect to the rotated values into the gradient before rotation, in place.</summary>
    public void Backward(float[] gradient, int tokens, int heads, int[] positions) => Rotate(gradient, tokens, heads, positions, _negativeSin);

    private void Rotate(float[] data, int tokens, int heads, int[] positions, float[] sin)
    {
        var headSize = _p.HeadSize;
        for (var t = 0; t < tokens; t++)
        {
            var cos = _cos.AsSpan(positions[t] * _pairs, _pairs);
            var s = sin.AsSpan(positions[t] * _pairs, _pairs);
            for (var h = 0; h < heads; h++) Rope.Rotate(data.AsSpan((t * heads + h) * headSize, headSize), cos, s, _p.RopeMode);
        }
    }
}
