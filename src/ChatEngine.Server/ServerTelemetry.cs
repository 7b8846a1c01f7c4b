using System.Diagnostics.Metrics;
using ChatEngine.Runtime.Serving;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ChatEngine.Server;

/// <summary>
/// OpenTelemetry for the server: the scheduler's meter and ASP.NET Core's and Kestrel's built-in meters, scraped at
/// <see cref="MetricsPath"/> in Prometheus text format; with <see cref="ServerOptions.OtlpEndpoint"/>, also exported over
/// OTLP/HTTP together with a trace per request (the HTTP span with the scheduler's generation spans under it).
/// </summary>
internal static class ServerTelemetry
{
    public const string MetricsPath = "/metrics";

    public static void AddTo(WebApplicationBuilder builder, ServerOptions options)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("chatengine"))
            .WithMetrics(metrics => metrics
                .AddMeter(SchedulerTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                // A scrape right after a request must see it.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        // Meters are matched by name across the process: keep only this host's (those its meter factory made).
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => instrument.Meter.Scope == factory ? null : MetricStreamConfiguration.Drop);
        });
        if (options.OtlpEndpoint is not { } endpoint) return;
        telemetry
            .WithTracing(tracing => tracing.AddSource(SchedulerTelemetry.Name).AddAspNetCoreInstrumentation())
            .UseOtlpExporter(OtlpExportProtocol.HttpProtobuf, new Uri(endpoint));
    }
}
