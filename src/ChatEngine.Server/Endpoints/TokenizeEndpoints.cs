using System.Text.Json;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>llama-server's <c>POST /tokenize</c> (<c>content</c>, <c>add_special</c>, <c>parse_special</c> → <c>tokens</c>),
/// <c>POST /detokenize</c> (<c>tokens</c> → <c>content</c>) and <c>POST /apply-template</c> (a chat request's
/// <c>messages</c>, <c>tools</c>, <c>chat_template_kwargs</c> ... → the rendered <c>prompt</c>).</summary>
internal static class TokenizeEndpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/tokenize", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            int[] tokens;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                var content = body.String("content") ?? throw ApiException.InvalidRequest("'content' is required", "content", "missing_required_parameter");
                host.CheckTextFits(System.Text.Encoding.UTF8.GetByteCount(content), "content");
                tokens = host.Model.Tokenizer.Encode(content, body.Bool("add_special") ?? false, body.Bool("parse_special") ?? true);
            }
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("tokens");
                foreach (var id in tokens) json.WriteNumberValue(id);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }))
            .WithName("tokenize");
        app.MapPost("/detokenize", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            var tokenizer = host.Model.Tokenizer;
            string content;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                if (!body.TryGet("tokens", out var tokens)) throw ApiException.InvalidRequest("'tokens' is required", "tokens", "missing_required_parameter");
                var ids = TokenArray.Read(tokens, "tokens", tokenizer.VocabSize);
                content = tokenizer.DecodePieces(ids);
            }
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("content", content);
                json.WriteEndObject();
            });
        }))
            .WithName("detokenize");
        app.MapPost("/apply-template", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            string prompt;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                prompt = GenerationRequestReader.RenderChatPrompt(body, host);
            }
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("prompt", prompt);
                json.WriteEndObject();
            });
        }))
            .WithName("applyTemplate");
    }
}
