using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatEngine.Server.OpenApi;

/// <summary>
/// The OpenAPI document at <see cref="Path"/>, generated from the mapped endpoints (Microsoft.AspNetCore.OpenApi): an
/// operation id for each, and the request body schemas of the records in RequestSchemas.cs where the endpoint
/// declares one. <c>/metrics</c>, mapped by the OpenTelemetry exporter, is added by hand.
/// </summary>
internal static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    /// <summary>A handler that reads the request itself, as a route handler: ApiExplorer describes only those (not a
    /// bare <see cref="RequestDelegate"/>), so only then is the endpoint in the document.</summary>
    public static Delegate Described(Func<HttpContext, Task> handler) => handler;

    /// <summary>Documents <typeparamref name="TRequest"/> as the JSON request body. Not <c>Accepts</c>: that metadata also
    /// makes routing skip the endpoint for other content types, where the endpoint itself answers 415.</summary>
    public static RouteHandlerBuilder AcceptsJson<TRequest>(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellation) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TRequest), null, cancellation) },
            },
        });

    public static void AddTo(IServiceCollection services)
    {
        // The schemas follow these options, and the request readers take numbers only as JSON numbers.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(options => options.AddDocumentTransformer(AddMetricsAsync));
    }

    private static Task AddMetricsAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellation)
    {
        document.Info = new OpenApiInfo { Title = "ChatEngine", Version = "v1", Description = "OpenAI-compatible API of chatengine serve (docs/api.md)." };
        document.Paths[ServerTelemetry.MetricsPath] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "getMetrics",
                    Summary = "Metrics in Prometheus text format (docs/observability.md).",
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Prometheus text exposition 0.0.4", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() } },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
