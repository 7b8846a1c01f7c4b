using System.Numerics.Tensors;
using ChatEngine.Training.Lora;

namespace ChatEngine.Training.Layers;

/// <summary>
/// y = W x + bias + scale · B A dropout(x): a frozen projection with an optional trainable LoRA pair. Forward keeps
/// what backward needs (the input it was given, the dropped-out copy, A x), so the input array must not change
/// between the two.
/// </summary>
internal sealed class LoraLinear
{
    private readonly FrozenMatrix _weight;
    private readonly float[]? _bias;
    private readonly LoraPair? _lora;
    private readonly float _scale;
    private readonly float _dropout;
    private readonly float[] _dropped;
    private readonly float[] _mask;
    private readonly float[] _down;
    private readonly float[] _downGradient;
    private float[] _input = [];

    public LoraLinear(FrozenMatrix weight, float[]? bias, LoraPair? lora, float scale, float dropout, int maxTokens)
    {
        _weight = weight;
        _bias = bias;
        _lora = lora;
        _scale = scale;
        _dropout = dropout;
        var rank = lora?.Rank ?? 0;
        _dropped = lora is not null && dropout > 0 ? new float[maxTokens * weight.Cols] : [];
        _mask = new float[_dropped.Length];
        _down = new float[maxTokens * rank];
        _downGradient = new float[maxTokens * rank];
    }

    public int Inputs => _weight.Cols;
    public int Outputs => _weight.Rows;

    /// <param name="dropoutRandom">Draws the dropout mask; null evaluates without dropout.</param>
    public void Forward(float[] x, int tokens, float[] y, Random? dropoutRandom, ParallelOptions parallel)
    {
        _input = x;
        _weight.Forward(x, tokens, y, parallel);
        var inputs = Inputs;
        var outputs = Outputs;
        if (_bias is not null)
            for (var t = 0; t < tokens; t++) TensorPrimitives.Add(y.AsSpan(t * outputs, outputs), _bias, y.AsSpan(t * outputs, outputs));
        if (_lora is null) return;

        var source = x;
        if (_dropped.Length > 0)
        {
            source = _dropped;
            var keep = 1 / (1 - _dropout);
            for (var i = 0; i < tokens * inputs; i++)
            {
                _mask[i] = dropoutRandom is null ? 1 : dropoutRandom.NextSingle() < _dropout ? 0 : keep;
                _dropped[i] = x[i] * _mask[i];
            }
        }
        var rank = _lora.Rank;
        for (var t = 0; t < tokens; t++)
        {
            var row = source.AsSpan(t * inputs, inputs);
            for (var j = 0; j < rank; j++) _down[t * rank + j] = TensorPrimitives.Dot(_lora.A.AsSpan(j * inputs, inputs), row);
            var down = _down.AsSpan(t * rank, rank);
            for (var o = 0; o < outputs; o++) y[t * outputs + o] += _scale * TensorPrimitives.Dot(_lora.B.AsSpan(o * rank, rank), down);
        }
    }

    /// <summary>Adds the gradient with respect to x into <paramref name="dx"/> and accumulates the LoRA gradients.</summary>
    public void Backward(float[] dy, int tokens, float[] dx, ParallelOptions parallel)
    {
        _weight.BackwardInput(dy, tokens, dx, parallel);
        if (_lora is null) return;
        var inputs = Inputs;
        var outputs = Outputs;
        var rank = _lora.Rank;
        var source = _dropped.Length > 0 ? _dropped : _input;
        Array.Clear(_downGradient, 0, tokens * rank);
        for (var t = 0; t < tokens; t++)
        {
            var down = _down.AsSpan(t * rank, rank);
            var downGradient = _downGradient.AsSpan(t * rank, rank);
            for (var o = 0; o < outputs; o++)
            {
                var g = _scale * dy[t * outputs + o];
                if (g == 0) continue;
                TensorPrimitives.MultiplyAdd(down, g, _lora.GradB.AsSpan(o * rank, rank), _lora.GradB.AsSpan(o * rank, rank));
                TensorPrimitives.MultiplyAdd(_lora.B.AsSpan(o * rank, rank), g, downGradient, downGradient);
            }
            var row = source.AsSpan(t * inputs, inputs);
            var rowGradient = dx.AsSpan(t * inputs, inputs);
            for (var j = 0; j < rank; j++)
            {
                var g = downGradient[j];
                if (g == 0) continue;
                TensorPrimitives.MultiplyAdd(row, g, _lora.GradA.AsSpan(j * inputs, inputs), _lora.GradA.AsSpan(j * inputs, inputs));
                if (_dropped.Length == 0) TensorPrimitives.MultiplyAdd(_lora.A.AsSpan(j * inputs, inputs), g, rowGradient, rowGradient);
            }
            if (_dropped.Length > 0) AddThroughMask(t, downGradient, rowGradient);
        }
    }

    /// <summary>dx[t, i] += mask[t, i] · Σ_j downGradient[j] A[j, i].</summary>
    private void AddThroughMask(int t, ReadOnlySpan<float> downGradient, Span<float> rowGradient)
    {
        var inputs = Inputs;
        for (var i = 0; i < inputs; i++)
        {
            var mask = _mask[t * inputs + i];
            if (mask == 0) continue;
            var sum = 0f;
            for (var j = 0; j < downGradient.Length; j++) sum += downGradient[j] * _lora!.A[j * inputs + i];
            rowGradient[i] += sum * mask;
        }
    }
}
