using System.Text.Json;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>llama-server's <c>GET /lora-adapters</c> (<c>[{id, path, scale}]</c>) and <c>POST /lora-adapters</c> (<c>[{id, scale}]</c>).</summary>
internal static class LoraEndpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapGet("/lora-adapters", ApiDocument.Described(context => InfoEndpoints.WriteAsync(context, json => state.RequireModel().Adapters.Write(json))))
            .WithName("listLoraAdapters");
        app.MapPost("/lora-adapters", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes, JsonValueKind.Array))
            {
                host.Adapters.SetGlobal(body.Root);
            }
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("success", true);
                json.WriteEndObject();
            });
        }))
            .WithName("setLoraAdapters");
    }
}
