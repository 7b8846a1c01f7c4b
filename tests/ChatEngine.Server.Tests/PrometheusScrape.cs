using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) as a scraper would apply it: every sample belongs to a family
/// declared by <c># TYPE</c> before it (<c># HELP</c> is optional, each at most once), names and label sets are well
/// formed, values parse, and each series of a histogram has cumulative buckets ending with <c>le="+Inf"</c> equal to its
/// <c>_count</c>. Samples are looked up without the <c>otel_scope_*</c> labels the OpenTelemetry exporter adds to all.
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
                Assert.Matches(MetricName(), parts[2]);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(types.TryAdd(parts[2], parts[3]), $"second TYPE for {parts[2]}");
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: '{line}'");
            var sampleName = match.Groups["name"].Value;
            Assert.True(types.ContainsKey(Family(sampleName, types)), $"sample {sampleName} has no TYPE before it");
            var labels = match.Groups["label"].Captures.Select(c => c.Value).Where(l => !l.StartsWith("otel_scope_", StringComparison.Ordinal));
            var key = Key(sampleName, string.Join(',', labels));
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
        var key = Key(name, labels);
        Assert.True(_samples.TryGetValue(key, out var value), $"no sample {key}");
        return value;
    }

    /// <summary>Observations of an unlabeled histogram; 0 when it is absent (the exporter writes a histogram only once
    /// it has an observation).</summary>
    public double Count(string histogram) => Types.ContainsKey(histogram) ? Value(histogram + "_count") : 0;

    private static string Key(string name, string? labels) => string.IsNullOrEmpty(labels) ? name : $"{name}{{{labels}}}";

    private void CheckHistogram(string family)
    {
        var bucketPrefix = family + "_bucket{";
        var series = _samples.Where(s => s.Key.StartsWith(bucketPrefix, StringComparison.Ordinal))
            .Select(s => (Labels: s.Key[bucketPrefix.Length..^1], Count: s.Value))
            .Select(s => (Labels: LeLabel().Replace(s.Labels, ""), Bound: ParseValue(LeLabel().Match(s.Labels).Groups["le"].Value), s.Count))
            .GroupBy(b => b.Labels);
        foreach (var buckets in series.Select(g => g.ToList()))
        {
            var labels = buckets[0].Labels;
            Assert.Equal(double.PositiveInfinity, buckets[^1].Bound);
            for (var i = 1; i < buckets.Count; i++)
            {
                Assert.True(buckets[i].Bound > buckets[i - 1].Bound, $"{family}{{{labels}}} buckets out of order");
                Assert.True(buckets[i].Count >= buckets[i - 1].Count, $"{family}{{{labels}}} buckets not cumulative");
            }
            Assert.Equal(buckets[^1].Count, Value(family + "_count", labels));
            Assert.True(Value(family + "_sum", labels) >= 0);
        }
    }

    private static string Family(string sample, IReadOnlyDictionary<string, string> types)
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

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<label>[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")(?:,(?<label>[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"))*\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    /// <summary>The <c>le</c> label of a bucket with the comma that joins it to the others.</summary>
    [GeneratedRegex("(?:^|,)le=\"(?<le>[^\"]*)\"")]
    private static partial Regex LeLabel();
}
