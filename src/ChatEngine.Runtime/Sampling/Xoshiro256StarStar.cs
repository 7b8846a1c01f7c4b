using System.Numerics;

namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna), seeded by expanding a 64-bit seed with SplitMix64 as its authors recommend.
/// Pure integer arithmetic, so a given seed yields the same stream on every machine and runtime, unlike
/// <see cref="System.Random"/> whose algorithm is an implementation detail.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    public Xoshiro256StarStar(ulong seed) => Reseed(seed);

    /// <summary>Starts from an explicit state (for checking against the reference implementation's outputs).</summary>
    public Xoshiro256StarStar(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0) throw new ArgumentException("the all-zero state is invalid for xoshiro256**");
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in (0, 1] with 53 random bits. Excluding 0 guarantees that a draw against a
    /// cumulative distribution never lands on a zero-probability candidate.</summary>
    public double NextDoubleOpenClosed() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>One step of SplitMix64 (Steele, Lea &amp; Flood): advances <paramref name="state"/> and returns the output.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
