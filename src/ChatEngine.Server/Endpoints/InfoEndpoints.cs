using System.Text.Json;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary><c>GET /health</c>, <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class InfoEndpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapGet("/health", ApiDocument.Described(context => HealthAsync(context, state)))
            .WithName("getHealth");
        app.MapGet("/v1/models", ApiDocument.Described(context => WriteAsync(context, json =>
        {
            var host = state.RequireModel();
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            WriteModel(json, host);
            json.WriteEndArray();
            json.WriteEndObject();
        })))
            .WithName("listModels");
        app.MapGet("/v1/models/{id}", (HttpContext context, string id) => WriteAsync(context, json =>
        {
            var host = state.RequireModel();
            if (!host.Serves(id))
                throw new ApiException(StatusCodes.Status404NotFound, $"The model '{ErrorText.Excerpt(id)}' does not exist", "invalid_request_error", "model", "model_not_found");
            WriteModel(json, host);
        }))
            .WithName("retrieveModel");
    }

    private static Task HealthAsync(HttpContext context, ServerState state)
    {
        if (state.Draining) return ErrorResponse.WriteAsync(context, ServerState.ShuttingDown());
        if (state.Host is not { } host) return ErrorResponse.WriteAsync(context, state.Unavailable());
        var scheduler = host.Scheduler;
        var showLoad = state.Access.IsAuthorized(context.Request);
        return WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "ok");
            if (!showLoad)
            {
                json.WriteEndObject();
                return;
            }
            json.WriteNumber("slots_idle", scheduler.SlotCount - scheduler.ActiveSlots);
            json.WriteNumber("slots_processing", scheduler.ActiveSlots);
            json.WriteNumber("requests_queued", scheduler.QueuedJobs);
            json.WriteEndObject();
        });
    }

    private static void WriteModel(Utf8JsonWriter json, ModelHost host)
    {
        json.WriteStartObject();
        json.WriteString("id", host.Id);
        json.WriteString("object", "model");
        json.WriteNumber("created", host.Created);
        json.WriteString("owned_by", "chatengine");
        json.WriteEndObject();
    }

    /// <summary>Writes a 200 JSON body; <paramref name="write"/> may throw an <see cref="ApiException"/> before anything is sent.</summary>
    public static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, JsonOutput.Options)) write(json);
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
