using Xunit;

namespace ChatEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class MetricsTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_and_count_a_request_exactly()
    {
        var before = await PrometheusScrape.FetchAsync(Server);
        var response = await Server.PostForJsonAsync("/v1/completions", """{"prompt":"The little bird","max_tokens":12,"temperature":0,"stream":false}""");
        var after = await PrometheusScrape.FetchAsync(Server);
        var usage = response.GetProperty("usage");

        foreach (var (family, type) in new[]
        {
            ("chatengine_requests_accepted_total", "counter"), ("chatengine_requests_rejected_total", "counter"),
            ("chatengine_requests_finished_total", "counter"), ("chatengine_prompt_tokens_total", "counter"),
            ("chatengine_completion_tokens_total", "counter"), ("chatengine_prefill_tokens_per_second", "gauge"),
            ("chatengine_decode_tokens_per_second", "gauge"), ("chatengine_queue_depth", "gauge"),
            ("chatengine_slots_active", "gauge"), ("chatengine_kv_cache_tokens", "gauge"),
            ("chatengine_kv_cache_usage_ratio", "gauge"), ("chatengine_time_to_first_token_seconds", "histogram"),
            ("chatengine_inter_token_latency_seconds", "histogram"),
            // ASP.NET Core's and Kestrel's own meters
            ("http_server_request_duration_seconds", "histogram"), ("kestrel_active_connections", "gauge"),
        })
        {
            Assert.Equal(type, after.Types[family]);
        }
        Assert.Equal(1, Delta("chatengine_requests_accepted_total"));
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), Delta("chatengine_prompt_tokens_total"));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), Delta("chatengine_completion_tokens_total"));
        Assert.Equal(1, after.Count("chatengine_time_to_first_token_seconds") - before.Count("chatengine_time_to_first_token_seconds"));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32() - 1,
            after.Count("chatengine_inter_token_latency_seconds") - before.Count("chatengine_inter_token_latency_seconds"));
        Assert.Equal(1, Delta("chatengine_requests_finished_total", "outcome=\"stop\"") + Delta("chatengine_requests_finished_total", "outcome=\"length\""));
        Assert.Equal(8, after.Value("chatengine_slots_total"));
        Assert.True(after.Value("chatengine_decode_tokens_per_second") > 0);
        Assert.True(after.Value("chatengine_prefill_tokens_per_second") > 0);
        Assert.InRange(after.Value("chatengine_kv_cache_usage_ratio"), 0, 1);

        double Delta(string name, string? labels = null) => after.Value(name, labels) - before.Value(name, labels);
    }

    [Fact]
    public void The_parser_rejects_what_a_scraper_would()
    {
        const string good = "# HELP a_total Things.\n# TYPE a_total counter\na_total 3\n";
        Assert.Equal(3, PrometheusScrape.Parse(good).Value("a_total"));
        Assert.ThrowsAny<Exception>(() => PrometheusScrape.Parse("a_total 3\n"));
        Assert.ThrowsAny<Exception>(() => PrometheusScrape.Parse("# HELP a_total Things.\n# TYPE a_total counter\na_total three\n"));
        Assert.ThrowsAny<Exception>(() => PrometheusScrape.Parse(
            "# HELP h Hist.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
    }
}
