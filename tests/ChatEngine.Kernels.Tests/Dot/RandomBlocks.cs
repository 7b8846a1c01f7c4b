using System.Buffers.Binary;
using ChatEngine.Gguf;

namespace ChatEngine.Kernels.Tests.Dot;

/// <summary>Random but valid weight rows of any type: random quant bytes with finite, realistic fp16 scales.</summary>
internal static class RandomBlocks
{
    public static readonly GgmlType[] WeightTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
        GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    ];

    /// <summary>Offsets of the fp16 scale fields within a block.</summary>
    private static int[] HalfFields(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],
        GgmlType.Q3_K => [108],
        GgmlType.Q6_K => [208],
        _ => [],
    };

    public static byte[] Row(GgmlType type, int count, Random random)
    {
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, count)];
        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), Gaussian(random));
                return bytes;
            case GgmlType.F16:
                for (var i = 0; i < count; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)Gaussian(random));
                return bytes;
            case GgmlType.BF16:
                for (var i = 0; i < count; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(Gaussian(random)) >> 16));
                return bytes;
        }
        random.NextBytes(bytes);
        var blockBytes = GgmlTypeInfo.BlockBytes(type);
        for (var b = 0; b < bytes.Length / blockBytes; b++)
        {
            foreach (var field in HalfFields(type))
                BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(b * blockBytes + field), (Half)(0.001 + 0.05 * random.NextDouble()));
        }
        return bytes;
    }

    /// <summary>Activations: Gaussian, with some blocks scaled far up or down and one all-zero stretch.</summary>
    public static float[] Activations(int count, Random random)
    {
        var x = new float[count];
        for (var i = 0; i < count; i++) x[i] = Gaussian(random);
        for (var i = 0; i < Math.Min(count, 32); i++) x[i] = 0;
        if (count >= 512) for (var i = 256; i < 512; i++) x[i] *= 1e-3f;
        return x;
    }

    public static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
