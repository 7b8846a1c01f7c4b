using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatEngine.Eval.Suites;

/// <summary>
/// A synthetic suite like <c>vllm bench serve</c>'s random dataset (<c>--random-input-tokens N --random-output-tokens M</c>):
/// request i has a prompt of about Nᵢ tokens and asks for exactly Mᵢ output tokens (<c>max_tokens</c> + <c>ignore_eos</c>),
/// temperature 0. Nᵢ and Mᵢ are drawn uniformly from [N(1 − r), N(1 + r)] and [M(1 − r), M(1 + r)] (r = range ratio).
/// Each prompt starts with "Request i:" so no two share a prefix beyond that, followed by words drawn from a list of
/// common English words that are one token each in the usual BPE/SPM vocabularies (one word ≈ one token; the prefix
/// counts as <see cref="PrefixTokenEstimate"/>). Everything follows from <c>seed</c>: the same settings give the same requests.
/// </summary>
public sealed record RandomWorkload(int InputTokens, int OutputTokens, double RangeRatio, int Seed)
{
    /// <summary>"Request", the number and the colon: about three tokens.</summary>
    public const int PrefixTokenEstimate = 3;

    private static readonly string[] Words =
    [
        "the", "time", "people", "way", "water", "day", "man", "world", "life", "hand", "part", "child", "eye", "place",
        "work", "week", "case", "point", "number", "group", "problem", "fact", "city", "house", "light", "tree", "road",
        "river", "stone", "field", "music", "story", "table", "green", "black", "small", "great", "long", "little", "old",
    ];

    public BenchSuite Build(int count)
    {
        if (InputTokens < 1) throw new ArgumentException("--random-input-tokens must be at least 1");
        if (OutputTokens < 1) throw new ArgumentException("--random-output-tokens must be at least 1");
        if (RangeRatio is < 0 or >= 1) throw new ArgumentException("--random-range-ratio must be in [0, 1)");
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new Random(Seed);
        var requests = new BenchRequest[count];
        for (var i = 0; i < count; i++)
        {
            var inputTokens = Draw(random, InputTokens);
            var outputTokens = Draw(random, OutputTokens);
            var prompt = new StringBuilder($"Request {i}:");
            for (var w = PrefixTokenEstimate; w < inputTokens; w++) prompt.Append(' ').Append(Words[random.Next(Words.Length)]);
            requests[i] = new BenchRequest
            {
                Id = $"random{i}",
                Messages = [new JsonObject { ["role"] = "user", ["content"] = prompt.ToString() }],
                MaxTokens = outputTokens,
                FixedOutputTokens = outputTokens,
                Temperature = 0,
            };
        }
        var description = $"random in={InputTokens} out={OutputTokens} range={RangeRatio:R} seed={Seed} count={count}";
        return new BenchSuite($"random-{InputTokens}-{OutputTokens}", "(synthetic)", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description))), requests);
    }

    private int Draw(Random random, int mean)
    {
        var low = Math.Max(1, (int)Math.Ceiling(mean * (1 - RangeRatio)));
        var high = Math.Max(low, (int)Math.Floor(mean * (1 + RangeRatio)));
        return random.Next(low, high + 1);
    }
}
