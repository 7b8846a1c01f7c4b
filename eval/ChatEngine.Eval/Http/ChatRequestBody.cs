using System.Text.Json.Nodes;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Http;

/// <summary>
/// The <c>/v1/chat/completions</c> or <c>/v1/completions</c> body for a suite request: streaming with usage in the last event, <c>max_tokens</c>
/// (the field every server knows), the suite's temperature, and for fixed-length requests <c>ignore_eos</c> and
/// <c>min_tokens</c> (honoured by vLLM, llama.cpp's server and ChatEngine; ignored elsewhere). Suite <c>extra</c>
/// fields go last and win. For <c>/v1/completions</c> the prompt is the message texts joined by newlines (<see cref="PromptText"/>).
/// </summary>
public static class ChatRequestBody
{
    public static JsonObject Build(BenchRequest request, string model, OpenAiApi api = OpenAiApi.Chat)
    {
        var body = new JsonObject { ["model"] = model };
        if (api == OpenAiApi.Completions) body["prompt"] = PromptText(request);
        else body["messages"] = request.Messages.DeepClone();
        foreach (var (name, value) in new JsonObject
        {
            ["max_tokens"] = request.MaxTokens,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        })
        {
            body[name] = value?.DeepClone();
        }
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

    /// <summary>The messages' texts joined by newlines: the raw prompt for <c>/v1/completions</c>.</summary>
    public static string PromptText(BenchRequest request) =>
        string.Join("\n", request.Messages.Select(m => m?["content"]?.ToString()));
}
