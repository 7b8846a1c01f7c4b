using System.Buffers.Binary;

namespace ChatEngine.Kernels.Tests.MatMul;

/// <summary>
/// Minimal encoders for the two types that llama.cpp's golden models do not contain (Q5_1, Q3_K), so that their
/// kernels can also be run on the real tiny-llama weights. Any valid encoding serves: the tests compare against the
/// decoded blocks and against the F32 product within the type's quantization error.
/// </summary>
internal static class TestQuantizers
{
    /// <summary>Q5_1 as ggml's quantize_row_q5_1_ref: min/max per 32, d = (max - min) / 31, q = trunc((x - min) / d + 0.5).</summary>
    public static byte[] Q5_1(ReadOnlySpan<float> x)
    {
        var y = new byte[x.Length / 32 * 24];
        for (var b = 0; b < x.Length / 32; b++)
        {
            var xs = x.Slice(32 * b, 32);
            var block = y.AsSpan(24 * b, 24);
            float min = float.MaxValue, max = float.MinValue;
            foreach (var v in xs)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            var d = (max - min) / 31;
            var id = d != 0 ? 1 / d : 0;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)min);
            uint qh = 0;
            for (var j = 0; j < 16; j++)
            {
                var q0 = (int)((xs[j] - min) * id + 0.5f);
                var q1 = (int)((xs[j + 16] - min) * id + 0.5f);
                block[8 + j] = (byte)((q0 & 0x0f) | ((q1 & 0x0f) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], qh);
        }
        return y;
    }

    /// <summary>Q3_K with plain round-to-nearest: per 16 elements scale amax / 4, 6-bit scales relative to d = max scale / 31.</summary>
    public static byte[] Q3_K(ReadOnlySpan<float> x)
    {
        var y = new byte[x.Length / 256 * 110];
        Span<float> subScales = stackalloc float[16];
        for (var b = 0; b < x.Length / 256; b++)
        {
            var xs = x.Slice(256 * b, 256);
            var block = y.AsSpan(110 * b, 110);
            for (var s = 0; s < 16; s++)
            {
                var amax = 0f;
                for (var l = 0; l < 16; l++) amax = Math.Max(amax, Math.Abs(xs[16 * s + l]));
                subScales[s] = amax / 4;
            }
            var maxScale = 0f;
            foreach (var s in subScales) maxScale = Math.Max(maxScale, s);
            var d = (float)(Half)(maxScale / 31);
            BinaryPrimitives.WriteHalfLittleEndian(block[108..], (Half)d);
            for (var s = 0; s < 16; s++)
            {
                var scale = d == 0 ? 0 : Math.Clamp((int)MathF.Round(subScales[s] / d), 0, 31);
                var stored = scale + 32;
                if (s < 8) block[96 + s] |= (byte)(stored & 0x0f);
                else block[96 + s - 8] |= (byte)((stored & 0x0f) << 4);
                block[96 + 8 + s % 4] |= (byte)((stored >> 4) << (2 * (s / 4)));
                int n = s / 8, j = s % 8 / 2, h = s % 2;
                for (var l = 0; l < 16; l++)
                {
                    var q = scale == 0 ? 0 : Math.Clamp((int)MathF.Round(xs[16 * s + l] / (d * scale)), -4, 3);
                    var u = q + 4;
                    block[32 + 32 * n + 16 * h + l] |= (byte)((u & 3) << (2 * j));
                    block[16 * h + l] |= (byte)((u >> 2) << (4 * n + j));
                }
            }
        }
        return y;
    }
}
