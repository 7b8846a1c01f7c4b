using ChatEngine.Kernels.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Dot;

public sealed unsafe class SimdActivationQuantizerTests
{
    private const int Count = 2048;

    private delegate void Conversion(float* x, byte* y, int count);

    public static TheoryData<string> Conversions() => new("Q8_0", "Q8_K");

    [SimdTheory]
    [MemberData(nameof(Conversions))]
    public void Simd_conversion_is_bitwise_the_scalar_one(string name)
    {
        var (scalar, simd, bytes) = Pair(name);
        var random = new Random(17);
        foreach (var x in Inputs(random))
        {
            var expected = new byte[bytes];
            var actual = new byte[bytes];
            fixed (float* px = x)
            fixed (byte* pe = expected)
            fixed (byte* pa = actual)
            {
                scalar(px, pe, Count);
                simd(px, pa, Count);
            }
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Gaussian rows, rows with all-zero blocks, exact ties of the largest magnitude with both signs, and
    /// values that land on x.5 after scaling (amax = 127: the multiplier is 1).</summary>
    private static IEnumerable<float[]> Inputs(Random random)
    {
        for (var i = 0; i < 5; i++) yield return RandomBlocks.Activations(Count, random);
        var zeros = RandomBlocks.Activations(Count, random);
        Array.Clear(zeros, 256, 512);
        yield return zeros;
        var ties = RandomBlocks.Activations(Count, random);
        for (var b = 0; b < Count; b += 32) (ties[b + 3], ties[b + 20]) = (-9f, 9f);
        yield return ties;
        var halves = new float[Count];
        for (var j = 0; j < Count; j++) halves[j] = j % 32 == 0 ? 127f : random.Next(-126, 126) + 0.5f;
        yield return halves;
    }

    private static (Conversion Scalar, Conversion Simd, int Bytes) Pair(string name) => name switch
    {
        "Q8_0" => (ActivationQuantizer.QuantizeQ8_0, SimdActivationQuantizer.QuantizeQ8_0, Count / 32 * BlockLayout.Q8_0Bytes),
        _ => (ActivationQuantizer.QuantizeQ8_K, SimdActivationQuantizer.QuantizeQ8_K, Count / 256 * BlockLayout.Q8_KBytes),
    };
}
