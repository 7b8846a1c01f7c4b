using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using ChatEngine.Runtime.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace ChatEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class TelemetryTests(ServerFixture fixture)
{
    private const string Completion = """{"prompt":"The little bird","max_tokens":8,"temperature":0}""";

    [Fact]
    public async Task A_request_is_one_trace_with_queue_wait_prefill_and_decode_under_its_generation_span()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var requestSpans = new ConcurrentBag<Activity>();
        var schedulerSpans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SchedulerTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (activity.TraceId == traceId && activity.Source.Name == "Microsoft.AspNetCore") requestSpans.Add(activity);
            },
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId && activity.Source.Name == SchedulerTelemetry.Name) schedulerSpans.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(Completion, Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await fixture.Server.Http.SendAsync(request);
        var usage = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");

        var http = Assert.Single(requestSpans);
        var generation = Assert.Single(schedulerSpans, s => s.OperationName == SchedulerTelemetry.GenerationSpan);
        Assert.Equal(http.SpanId, generation.ParentSpanId);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), generation.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), generation.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(["length"], (string[])generation.GetTagItem("gen_ai.response.finish_reasons")!);
        var phases = schedulerSpans.Where(s => s != generation).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(["queue_wait", "prefill", "decode"], phases.Select(s => s.OperationName));
        Assert.All(phases, s => Assert.Equal(generation.SpanId, s.ParentSpanId));
        Assert.All(phases, s => Assert.InRange(s.StartTimeUtc, generation.StartTimeUtc, generation.StartTimeUtc + generation.Duration));
        for (var i = 1; i < phases.Count; i++) Assert.Equal(phases[i - 1].StartTimeUtc + phases[i - 1].Duration, phases[i].StartTimeUtc);
    }

    [Fact]
    public async Task With_an_otlp_endpoint_metrics_and_traces_reach_the_collector_over_http_protobuf()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        await using var collector = await StartCollectorAsync(received);
        await using (var server = await TestServer.StartAsync(options => options with { OtlpEndpoint = collector.Urls.First() }))
        {
            await server.PostForJsonAsync("/v1/completions", Completion);
        }
        // Disposing the server flushed both exporters.
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        var metrics = Bodies("/v1/metrics");
        foreach (var name in new[] { "chatengine_requests_accepted", "chatengine_time_to_first_token", "http.server.request.duration" })
            Assert.True(metrics.Any(body => Contains(body, name)), $"no metrics export names {name}");
        var traces = Bodies("/v1/traces");
        foreach (var name in new[] { SchedulerTelemetry.GenerationSpan, "queue_wait", "prefill", "decode", "gen_ai.usage.input_tokens", "POST /v1/completions" })
            Assert.True(traces.Any(body => Contains(body, name)), $"no trace export names {name}");

        List<byte[]> Bodies(string path) => [.. received.Where(r => r.Path == path).Select(r => r.Body)];
    }

    /// <summary>An OTLP/HTTP collector stand-in on loopback: keeps each export request and answers it with an empty
    /// (valid) protobuf response.</summary>
    private static async Task<WebApplication> StartCollectorAsync(ConcurrentQueue<(string, string?, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value!, context.Request.ContentType, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        return collector;
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
