using System.Text.Json;
using ChatEngine.Eval.Measurement;

namespace ChatEngine.Eval.Http;

/// <summary>
/// Feeds the events of a streamed chat completion into a <see cref="RequestRecorder"/>: <c>choices[0].delta.content</c>
/// (or <c>choices[0].text</c>), <c>finish_reason</c> and <c>usage</c>. Returns null when the stream ended properly,
/// otherwise why it did not.
/// </summary>
public static class ChatStreamReader
{
    public static async Task<(ErrorKind Kind, string Message)?> ReadAsync(Stream stream, RequestRecorder recorder, CancellationToken cancellation)
    {
        await foreach (var data in SseReader.ReadDataAsync(stream, cancellation))
        {
            if (data == "[DONE]") return null;
            if (Apply(data, recorder) is { } failure) return failure;
        }
        return recorder.FinishReason is null ? (ErrorKind.Truncated, "the stream ended before a finish_reason or [DONE]") : null;
    }

    private static (ErrorKind, string)? Apply(string data, RequestRecorder recorder)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException e)
        {
            return (ErrorKind.MalformedStream, $"event is not JSON ({e.Message}): {Shorten(data)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (ErrorKind.MalformedStream, $"event is not a JSON object: {Shorten(data)}");
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                return (ErrorKind.StreamError, ErrorText.Describe(error));
            var hasUsage = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
            if (hasUsage && usage.TryGetProperty("prompt_tokens", out var p) && usage.TryGetProperty("completion_tokens", out var c)
                && p.TryGetInt32(out var prompt) && c.TryGetInt32(out var completion))
            {
                recorder.SetUsage(prompt, completion);
            }
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
                return hasUsage ? null : (ErrorKind.MalformedStream, $"event has no 'choices' array: {Shorten(data)}");
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object) return (ErrorKind.MalformedStream, $"a choice is not an object: {Shorten(data)}");
                if (choice.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.GetInt32() != 0) continue;
                if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                    && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    recorder.Content(content.GetString()!);
                }
                else if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    recorder.Content(text.GetString()!);
                }
                if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                    recorder.Finished(finish.GetString());
            }
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "...";
}
