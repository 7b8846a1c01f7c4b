using System.Text.Json;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>llama-server's <c>POST /tokenize</c> (<c>content</c>, <c>add_special</c>, <c>parse_special</c> → <c>tokens</c>)
/// and <c>POST /detokenize</c> (<c>tokens</c> → <c>content</c>).</summary>
internal static class TokenizeEndpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/tokenize", async context =>
        {
            var host = state.RequireModel();
            int[] tokens;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                var content = body.String("content") ?? throw ApiException.InvalidRequest("'content' is required", "content", "missing_required_parameter");
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
        });
        app.MapPost("/detokenize", async context =>
        {
            var host = state.RequireModel();
            var tokenizer = host.Model.Tokenizer;
            string content;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                if (!body.TryGet("tokens", out var tokens)) throw ApiException.InvalidRequest("'tokens' is required", "tokens", "missing_required_parameter");
                if (tokens.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType("tokens", "an array of token ids");
                var ids = new int[tokens.GetArrayLength()];
                var i = 0;
                foreach (var item in tokens.EnumerateArray())
                {
                    var id = RequestBody.ReadInteger(item, "tokens");
                    if (id < 0 || id >= tokenizer.VocabSize)
                        throw ApiException.InvalidRequest($"token id {id} is outside the vocabulary [0, {tokenizer.VocabSize})", "tokens", "invalid_value");
                    ids[i++] = (int)id;
                }
                content = tokenizer.DecodePieces(ids);
            }
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("content", content);
                json.WriteEndObject();
            });
        });
    }
}
