using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) as a scraper would apply it: every sample belongs to a family
/// declared by <c># HELP</c> and <c># TYPE</c> before it, names and label sets are well formed, values parse, and a
/// histogram's buckets are cumulative and end with <c>le="+Inf"</c> equal to its <c>_count</c>.
/// </summary>
public sealed partial class PrometheusScrape
{
    private readonly Dictionary<string, double> _samples = [];

    private PrometheusScrape(Dictionary<string, string> types) => Types = types;

    /// <summary>Family name to type (counter, gauge, histogram ...).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static async Task<PrometheusScrape> FetchAsync(TestServer server)
    {
        using var response = await server.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return Parse(text);
    }

    public static PrometheusScrape Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var types = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        var scrape = new PrometheusScrape(types);
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var name = line["# HELP ".Length..].Split(' ', 2)[0];
                Assert.Matches(MetricName(), name);
                Assert.True(helped.Add(name), $"second HELP for {name}");
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(types.TryAdd(parts[2], parts[3]), $"second TYPE for {parts[2]}");
                Assert.Contains(parts[2], helped);
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: '{line}'");
            var sampleName = match.Groups["name"].Value;
            Assert.True(types.ContainsKey(Family(sampleName, types)), $"sample {sampleName} has no TYPE before it");
            var key = sampleName + match.Groups["labels"].Value;
            Assert.True(scrape._samples.TryAdd(key, ParseValue(match.Groups["value"].Value)), $"duplicate sample {key}");
        }
        foreach (var (family, type) in types.Where(t => t.Value == "histogram")) scrape.CheckHistogram(family);
        foreach (var (family, _) in types.Where(t => t.Value == "counter"))
            foreach (var (key, value) in scrape._samples.Where(s => s.Key == family || s.Key.StartsWith(family + "{", StringComparison.Ordinal)))
                Assert.True(value >= 0, $"counter {key} is negative");
        return scrape;
    }

    /// <summary>The value of a sample, e.g. <c>Value("chatengine_kv_cache_tokens", "state=\"active\"")</c>.</summary>
    public double Value(string name, string? labels = null)
    {
        var key = labels is null ? name : $"{name}{{{labels}}}";
        Assert.True(_samples.TryGetValue(key, out var value), $"no sample {key}");
        return value;
    }

    private void CheckHistogram(string family)
    {
        var buckets = _samples.Where(s => s.Key.StartsWith(family + "_bucket{le=\"", StringComparison.Ordinal))
            .Select(s => (Bound: ParseValue(s.Key[(family.Length + 12)..^2]), Count: s.Value)).ToList();
        Assert.NotEmpty(buckets);
        Assert.Equal(double.PositiveInfinity, buckets[^1].Bound);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Bound > buckets[i - 1].Bound, $"{family} buckets out of order");
            Assert.True(buckets[i].Count >= buckets[i - 1].Count, $"{family} buckets not cumulative");
        }
        Assert.Equal(buckets[^1].Count, Value(family + "_count"));
        Assert.True(Value(family + "_sum") >= 0);
    }

    private static string Family(string sample, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
                return sample[..^suffix.Length];
        }
        return sample;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
