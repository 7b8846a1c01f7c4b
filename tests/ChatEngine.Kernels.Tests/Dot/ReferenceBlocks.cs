using System.Buffers.Binary;
using ChatEngine.Gguf;

namespace ChatEngine.Kernels.Tests.Dot;

/// <summary>
/// Test-side float64 decoding of ggml blocks, written from ggml's dequantize_row_* (element order, byte-wise scale
/// unpacking), independent of the kernels' integer formulations.
/// </summary>
internal static class ReferenceBlocks
{
    private static double Half(ReadOnlySpan<byte> b, int offset) => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b[offset..]));

    /// <summary>Weights of one row, as doubles.</summary>
    public static double[] DequantizeRow(GgmlType type, ReadOnlySpan<byte> row, int count)
    {
        var y = new double[count];
        var blockSize = GgmlTypeInfo.BlockSize(type);
        var blockBytes = GgmlTypeInfo.BlockBytes(type);
        for (var b = 0; b < count / blockSize; b++)
            DequantizeBlock(type, row.Slice(b * blockBytes, blockBytes), y.AsSpan(b * blockSize, blockSize));
        return y;
    }

    private static void DequantizeBlock(GgmlType type, ReadOnlySpan<byte> x, Span<double> y)
    {
        switch (type)
        {
            case GgmlType.F32: y[0] = BinaryPrimitives.ReadSingleLittleEndian(x); break;
            case GgmlType.F16: y[0] = Half(x, 0); break;
            case GgmlType.BF16: y[0] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(x) << 16); break;
            case GgmlType.Q8_0:
                for (var j = 0; j < 32; j++) y[j] = Half(x, 0) * (sbyte)x[2 + j];
                break;
            case GgmlType.Q4_0:
                for (var j = 0; j < 16; j++)
                {
                    y[j] = Half(x, 0) * ((x[2 + j] & 0x0f) - 8);
                    y[j + 16] = Half(x, 0) * ((x[2 + j] >> 4) - 8);
                }
                break;
            case GgmlType.Q4_1:
                for (var j = 0; j < 16; j++)
                {
                    y[j] = Half(x, 0) * (x[4 + j] & 0x0f) + Half(x, 2);
                    y[j + 16] = Half(x, 0) * (x[4 + j] >> 4) + Half(x, 2);
                }
                break;
            case GgmlType.Q5_0:
            case GgmlType.Q5_1:
            {
                var hasMin = type == GgmlType.Q5_1;
                var qhOffset = hasMin ? 4 : 2;
                var qh = BinaryPrimitives.ReadUInt32LittleEndian(x[qhOffset..]);
                var qs = x[(qhOffset + 4)..];
                for (var j = 0; j < 16; j++)
                {
                    var h0 = (int)((qh >> j) << 4) & 0x10;
                    var h1 = (int)(qh >> (j + 12)) & 0x10;
                    var offset = hasMin ? 0 : -16;
                    var min = hasMin ? Half(x, 2) : 0;
                    y[j] = Half(x, 0) * (((qs[j] & 0x0f) | h0) + offset) + min;
                    y[j + 16] = Half(x, 0) * (((qs[j] >> 4) | h1) + offset) + min;
                }
                break;
            }
            case GgmlType.Q2_K: Q2K(x, y); break;
            case GgmlType.Q3_K: Q3K(x, y); break;
            case GgmlType.Q4_K: Q4K(x, y); break;
            case GgmlType.Q5_K: Q5K(x, y); break;
            case GgmlType.Q6_K: Q6K(x, y); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }

    private static void Q2K(ReadOnlySpan<byte> x, Span<double> y)
    {
        var scales = x[..16];
        var q = x.Slice(16, 64);
        double d = Half(x, 80), dmin = Half(x, 82);
        var o = 0;
        var s = 0;
        for (var n = 0; n < 256; n += 128, q = q[32..])
        {
            for (var shift = 0; shift < 8; shift += 2)
            {
                for (var half = 0; half < 2; half++)
                {
                    var sc = scales[s++];
                    for (var l = 0; l < 16; l++) y[o++] = d * (sc & 0x0f) * ((q[16 * half + l] >> shift) & 3) - dmin * (sc >> 4);
                }
            }
        }
    }

    private static int Q3KScale(ReadOnlySpan<byte> b, int j)
    {
        var low = j < 8 ? b[j] & 0x0f : b[j - 8] >> 4;
        var high = (b[8 + j % 4] >> (2 * (j / 4))) & 3;
        return (low | (high << 4)) - 32;
    }

    private static void Q3K(ReadOnlySpan<byte> x, Span<double> y)
    {
        var hm = x[..32];
        var q = x.Slice(32, 64);
        var packed = x.Slice(96, 12);
        double d = Half(x, 108);
        var o = 0;
        var s = 0;
        var m = 1;
        for (var n = 0; n < 256; n += 128, q = q[32..])
        {
            for (var shift = 0; shift < 8; shift += 2, m <<= 1)
            {
                for (var half = 0; half < 2; half++)
                {
                    var dl = d * Q3KScale(packed, s++);
                    for (var l = 0; l < 16; l++)
                        y[o++] = dl * (((q[16 * half + l] >> shift) & 3) - ((hm[16 * half + l] & m) != 0 ? 0 : 4));
                }
            }
        }
    }

    private static (int Scale, int Min) ScaleMinK4(ReadOnlySpan<byte> q, int j) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));

    private static void Q4K(ReadOnlySpan<byte> x, Span<double> y)
    {
        double d = Half(x, 0), dmin = Half(x, 2);
        var packed = x.Slice(4, 12);
        var q = x.Slice(16, 128);
        var o = 0;
        for (var j = 0; j < 4; j++, q = q[32..])
        {
            var (s1, m1) = ScaleMinK4(packed, 2 * j);
            var (s2, m2) = ScaleMinK4(packed, 2 * j + 1);
            for (var l = 0; l < 32; l++) y[o++] = d * s1 * (q[l] & 0x0f) - dmin * m1;
            for (var l = 0; l < 32; l++) y[o++] = d * s2 * (q[l] >> 4) - dmin * m2;
        }
    }

    private static void Q5K(ReadOnlySpan<byte> x, Span<double> y)
    {
        double d = Half(x, 0), dmin = Half(x, 2);
        var packed = x.Slice(4, 12);
        var qh = x.Slice(16, 32);
        var ql = x.Slice(48, 128);
        var o = 0;
        int u1 = 1, u2 = 2;
        for (var j = 0; j < 4; j++, ql = ql[32..], u1 <<= 2, u2 <<= 2)
        {
            var (s1, m1) = ScaleMinK4(packed, 2 * j);
            var (s2, m2) = ScaleMinK4(packed, 2 * j + 1);
            for (var l = 0; l < 32; l++) y[o++] = d * s1 * ((ql[l] & 0x0f) + ((qh[l] & u1) != 0 ? 16 : 0)) - dmin * m1;
            for (var l = 0; l < 32; l++) y[o++] = d * s2 * ((ql[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0)) - dmin * m2;
        }
    }

    private static void Q6K(ReadOnlySpan<byte> x, Span<double> y)
    {
        double d = Half(x, 208);
        for (var n = 0; n < 2; n++)
        {
            var ql = x.Slice(64 * n, 64);
            var qh = x.Slice(128 + 32 * n, 32);
            var sc = x.Slice(192 + 8 * n, 8);
            var o = 128 * n;
            for (var l = 0; l < 32; l++)
            {
                var @is = l / 16;
                var q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
                var q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
                var q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                var q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[o + l] = d * (sbyte)sc[@is] * q1;
                y[o + l + 32] = d * (sbyte)sc[@is + 2] * q2;
                y[o + l + 64] = d * (sbyte)sc[@is + 4] * q3;
                y[o + l + 96] = d * (sbyte)sc[@is + 6] * q4;
            }
        }
    }

    /// <summary>
    /// float64 dot of a weight row with a converted activation row: sum of w_i * a_i with both decoded exactly. For
    /// the "_1" types the min term uses the activation block's stored s (an fp16 of d * sum(q)), as ggml does.
    /// Also returns sum |w_i * a_i|, the scale for rounding-error tolerances.
    /// </summary>
    public static (double Dot, double Magnitude) Dot(GgmlType type, ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int count)
    {
        var w = DequantizeRow(type, weights, count);
        var a = DecodeActivations(type, activations, count, out var blockSums);
        double dot = 0, magnitude = 0;
        for (var i = 0; i < count; i++)
        {
            magnitude += Math.Abs(w[i] * a[i]);
            if (type is not (GgmlType.Q4_1 or GgmlType.Q5_1)) dot += w[i] * a[i];
        }
        if (type is GgmlType.Q4_1 or GgmlType.Q5_1)
        {
            var blockBytes = GgmlTypeInfo.BlockBytes(type);
            for (var b = 0; b < count / 32; b++)
            {
                var block = weights.Slice(b * blockBytes, blockBytes);
                var m = Half(block, 2);
                for (var j = 0; j < 32; j++) dot += (w[32 * b + j] - m) * a[32 * b + j];
                dot += m * blockSums[b];
            }
        }
        return (dot, magnitude);
    }

    /// <summary>Decodes an activation row converted for <paramref name="weightType"/>; Q8_1 also yields each block's s.</summary>
    public static double[] DecodeActivations(GgmlType weightType, ReadOnlySpan<byte> a, int count, out double[] blockSums)
    {
        var y = new double[count];
        blockSums = [];
        switch (ChatEngine.Kernels.Dot.VecDot.ActivationType(weightType))
        {
            case GgmlType.F32:
            case GgmlType.F16:
            case GgmlType.BF16:
                for (var i = 0; i < count; i++) y[i] = BinaryPrimitives.ReadSingleLittleEndian(a[(4 * i)..]);
                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < count / 32; b++)
                    for (var j = 0; j < 32; j++) y[32 * b + j] = Half(a, 34 * b) * (sbyte)a[34 * b + 2 + j];
                break;
            case GgmlType.Q8_1:
                blockSums = new double[count / 32];
                for (var b = 0; b < count / 32; b++)
                {
                    blockSums[b] = Half(a, 36 * b + 2);
                    for (var j = 0; j < 32; j++) y[32 * b + j] = Half(a, 36 * b) * (sbyte)a[36 * b + 4 + j];
                }
                break;
            default:
                for (var b = 0; b < count / 256; b++)
                {
                    double d = BinaryPrimitives.ReadSingleLittleEndian(a[(292 * b)..]);
                    for (var j = 0; j < 256; j++) y[256 * b + j] = d * (sbyte)a[292 * b + 4 + j];
                }
                break;
        }
        return y;
    }
}
