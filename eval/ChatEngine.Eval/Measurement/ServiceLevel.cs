using System.Globalization;

namespace ChatEngine.Eval.Measurement;

/// <summary>
/// A service-level objective for goodput, as <c>vllm bench serve --goodput ttft:MS tpot:MS e2el:MS</c> defines it: a
/// successful request is good when each latency it names is at most its bound (milliseconds).
/// </summary>
public sealed record ServiceLevel(double? TtftMs, double? TpotMs, double? E2eMs)
{
    /// <summary>Parses <c>ttft:500,tpot:50,e2el:3000</c> (any subset, at least one; bounds in ms, positive).</summary>
    public static ServiceLevel Parse(string text)
    {
        double? ttft = null, tpot = null, e2e = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(':', 2, StringSplitOptions.TrimEntries);
            if (pieces.Length != 2 || !double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !(bound > 0) || double.IsInfinity(bound))
                throw new ArgumentException($"--goodput: '{part}' is not NAME:MILLISECONDS with a positive number (e.g. ttft:500)");
            switch (pieces[0])
            {
                case "ttft": ttft = bound; break;
                case "tpot": tpot = bound; break;
                case "e2el": e2e = bound; break;
                default: throw new ArgumentException($"--goodput: unknown latency '{pieces[0]}' (use ttft, tpot or e2el)");
            }
        }
        return ttft is null && tpot is null && e2e is null
            ? throw new ArgumentException("--goodput needs at least one bound, e.g. ttft:500,tpot:50")
            : new ServiceLevel(ttft, tpot, e2e);
    }

    /// <summary>A request with one token has no TPOT, which meets any TPOT bound (vLLM counts it so too).</summary>
    public bool IsMetBy(RequestResult result) =>
        result.Succeeded
        && (TtftMs is not { } ttft || result.TtftMs is { } measured && measured <= ttft)
        && (TpotMs is not { } tpot || result.TpotMs is not { } perToken || perToken <= tpot)
        && (E2eMs is not { } e2e || result.E2eMs <= e2e);

    public override string ToString() => string.Join(",", new[] { ("ttft", TtftMs), ("tpot", TpotMs), ("e2el", E2eMs) }
        .Where(b => b.Item2 is not null).Select(b => $"{b.Item1}:{b.Item2!.Value.ToString(CultureInfo.InvariantCulture)}"));
}
