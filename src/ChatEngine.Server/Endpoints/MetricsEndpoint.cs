using ChatEngine.Server.Metrics;

namespace ChatEngine.Server.Endpoints;

/// <summary><c>GET /metrics</c>: the scheduler's counters, gauges and latency histograms in Prometheus text format.</summary>
internal static class MetricsEndpoint
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapGet("/metrics", async context =>
        {
            var text = new PrometheusText();
            // Still served while the server drains, to watch the last sequences end.
            SchedulerMetricsText.Write(text, (state.Host ?? throw state.Unavailable()).Scheduler);
            context.Response.ContentType = PrometheusText.ContentType;
            await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
        });
    }
}
