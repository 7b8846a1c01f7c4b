using System.Text.Json.Nodes;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Http;

/// <summary>
/// The <c>/v1/chat/completions</c> body for a suite request: streaming with usage in the last event, <c>max_tokens</c>
/// (the field every server knows), the suite's temperature, and for fixed-length requests <c>ignore_eos</c> and
/// <c>min_tokens</c> (honoured by vLLM, llama.cpp's server and ChatEngine; ignored elsewhere). Suite <c>extra</c>
/// fields go last and win.
/// </summary>
public static class ChatRequestBody
{
    public static JsonObject Build(BenchRequest request, string model)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = request.Messages.DeepClone(),
            ["max_tokens"] = request.MaxTokens,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (request.Temperature is { } temperature) body["temperature"] = temperature;
        if (request.FixedOutputTokens is { } tokens)
        {
            body["ignore_eos"] = true;
            body["min_tokens"] = tokens;
        }
        if (request.Extra is not null)
        {
            foreach (var (name, value) in request.Extra) body[name] = value?.DeepClone();
        }
        return body;
    }
}
