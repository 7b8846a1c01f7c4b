using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Generation;
using ChatEngine.Text;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// Writes tokens' log-probabilities in OpenAI's two shapes: chat's <c>{"content":[{token, logprob, bytes,
/// top_logprobs}], "refusal": null}</c> and the legacy completions' parallel arrays <c>tokens</c>,
/// <c>token_logprobs</c>, <c>top_logprobs</c> (token → logprob objects), <c>text_offset</c>. A token's text is its
/// bytes decoded as UTF-8 (a partial character shows as U+FFFD; <c>bytes</c> has the exact bytes).
/// </summary>
internal sealed class LogProbabilityWriter(Tokenizer tokenizer)
{
    public void WriteChat(Utf8JsonWriter json, IReadOnlyList<LoggedToken>? tokens)
    {
        if (tokens is null)
        {
            json.WriteNull("logprobs");
            return;
        }
        json.WriteStartObject("logprobs");
        json.WriteStartArray("content");
        foreach (var token in tokens)
        {
            var logProbabilities = token.LogProbabilities!;
            json.WriteStartObject();
            WriteChatEntry(json, logProbabilities.Chosen);
            json.WriteStartArray("top_logprobs");
            foreach (var alternative in logProbabilities.Top)
            {
                json.WriteStartObject();
                WriteChatEntry(json, alternative);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("refusal");
        json.WriteEndObject();
    }

    public void WriteLegacy(Utf8JsonWriter json, IReadOnlyList<LoggedToken>? tokens)
    {
        if (tokens is null)
        {
            json.WriteNull("logprobs");
            return;
        }
        json.WriteStartObject("logprobs");
        json.WriteStartArray("tokens");
        foreach (var token in tokens) json.WriteStringValue(Text(token.Id));
        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var token in tokens)
        {
            if (token.LogProbabilities is { } logProbabilities) json.WriteNumberValue(logProbabilities.Chosen.LogProbability);
            else json.WriteNullValue();
        }
        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var token in tokens)
        {
            if (token.LogProbabilities is null)
            {
                json.WriteNullValue();
                continue;
            }
            json.WriteStartObject();
            var seen = new HashSet<string>();
            foreach (var alternative in token.LogProbabilities.Top)
            {
                // Two tokens can share a text; the object keeps the more likely one (they come most likely first).
                var text = Text(alternative.Id);
                if (seen.Add(text)) json.WriteNumber(text, alternative.LogProbability);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var token in tokens) json.WriteNumberValue(token.TextOffset);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteChatEntry(Utf8JsonWriter json, TokenLogProbability token)
    {
        var bytes = tokenizer.TokenToPiece(token.Id);
        json.WriteString("token", Encoding.UTF8.GetString(bytes));
        json.WriteNumber("logprob", token.LogProbability);
        json.WriteStartArray("bytes");
        foreach (var b in bytes) json.WriteNumberValue(b);
        json.WriteEndArray();
    }

    /// <summary>The prompt's tokens as logged tokens, their offsets following the tokens' own text within the first
    /// <paramref name="textLength"/> characters (a tokenizer's leading space can make that differ from the prompt as sent).</summary>
    public IReadOnlyList<LoggedToken> Prompt(int[] tokens, TokenLogProbabilities?[] scores, int textLength)
    {
        var logged = new LoggedToken[tokens.Length];
        var offset = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            logged[i] = new LoggedToken(tokens[i], scores[i], Math.Min(offset, textLength));
            offset += Text(tokens[i]).Length;
        }
        return logged;
    }

    private string Text(int id) => Encoding.UTF8.GetString(tokenizer.TokenToPiece(id));
}
