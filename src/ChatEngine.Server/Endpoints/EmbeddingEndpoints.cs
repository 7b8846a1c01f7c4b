using System.Runtime.InteropServices;
using System.Text.Json;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>
/// <c>POST /v1/embeddings</c>: <c>input</c> as a string, an array of strings, an array of token ids or an array of
/// such arrays; one unit-length vector of the model's embedding size per input, in input order, as floats or
/// (<c>encoding_format: base64</c>) little-endian float32 bytes in base64.
/// </summary>
internal static class EmbeddingEndpoints
{
    /// <summary>Most inputs one request may carry (OpenAI's limit).</summary>
    public const int MaxInputs = 2048;

    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/v1/embeddings", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            List<int[]> inputs;
            bool base64;
            Runtime.Lora.LoraSelection adapters;
            using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
            {
                GenerationRequestReader.CheckModel(body, host);
                base64 = body.String("encoding_format") switch
                {
                    null or "float" => false,
                    "base64" => true,
                    var other => throw ApiException.InvalidRequest($"encoding_format '{ErrorText.Excerpt(other)}' is not supported (float, base64)", "encoding_format", "invalid_value"),
                };
                if (body.Integer("dimensions") is { } dimensions && dimensions != host.EmbeddingDimensions)
                    throw ApiException.InvalidRequest($"this model's embeddings have {host.EmbeddingDimensions} dimensions; 'dimensions' cannot change that",
                        "dimensions", "invalid_value");
                inputs = ReadInputs(body, host);
                adapters = host.Adapters.ForRequest(body);
            }

            var cancellation = context.RequestAborted;
            var vectors = await host.RunDetachedAsync(evaluator =>
            {
                evaluator.Adapters = adapters;
                return inputs.Select(input =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    return evaluator.Embed(input);
                }).ToArray();
            }, cancellation);

            var tokens = inputs.Sum(input => input.Length);
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("object", "list");
                json.WriteStartArray("data");
                for (var i = 0; i < vectors.Length; i++)
                {
                    json.WriteStartObject();
                    json.WriteString("object", "embedding");
                    json.WriteNumber("index", i);
                    if (base64)
                    {
                        json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                    }
                    else
                    {
                        json.WriteStartArray("embedding");
                        foreach (var value in vectors[i]) json.WriteNumberValue(value);
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteString("model", host.Id);
                json.WriteStartObject("usage");
                json.WriteNumber("prompt_tokens", tokens);
                json.WriteNumber("total_tokens", tokens);
                json.WriteEndObject();
                json.WriteEndObject();
            });
        }))
            .WithName("createEmbedding").AcceptsJson<EmbeddingRequest>();
    }

    private static List<int[]> ReadInputs(RequestBody body, ModelHost host)
    {
        const string param = "input";
        if (!body.TryGet(param, out var input)) throw ApiException.InvalidRequest("'input' is required", param, "missing_required_parameter");
        var tokenizer = host.Model.Tokenizer;
        var inputs = new List<int[]>();
        if (input.ValueKind == JsonValueKind.String) inputs.Add(Encode(input.GetString()!, param));
        else if (input.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType(param, "a string, an array of strings, an array of token ids or an array of such arrays");
        else if (input.GetArrayLength() == 0) throw ApiException.InvalidRequest("'input' must not be empty", param, "empty_array");
        else if (input[0].ValueKind == JsonValueKind.Number) inputs.Add(TokenArray.Read(input, param, tokenizer.VocabSize));
        else
        {
            if (input.GetArrayLength() > MaxInputs) throw ApiException.InvalidRequest($"at most {MaxInputs} inputs per request", param, "invalid_value");
            var kind = input[0].ValueKind;
            var index = 0;
            foreach (var item in input.EnumerateArray())
            {
                var at = $"{param}[{index++}]";
                if (item.ValueKind != kind || kind is not (JsonValueKind.String or JsonValueKind.Array))
                    throw RequestBody.WrongType(at, "of the same kind as the other inputs (all strings or all token arrays)");
                inputs.Add(kind == JsonValueKind.String ? Encode(item.GetString()!, at) : TokenArray.Read(item, at, tokenizer.VocabSize));
            }
        }
        var limit = host.Scheduler.ContextSize;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length == 0) throw ApiException.InvalidRequest($"input {i} has no tokens", param, "invalid_value");
            if (inputs[i].Length > limit)
                throw ApiException.InvalidRequest($"input {i} has {inputs[i].Length} tokens; this server's context is {limit} tokens", param, "context_length_exceeded");
        }
        return inputs;

        int[] Encode(string text, string at)
        {
            host.CheckTextFits(System.Text.Encoding.UTF8.GetByteCount(text), at);
            return text.Length == 0 ? [] : tokenizer.Encode(text, addSpecial: true, parseSpecial: false);
        }
    }
}
