using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Templates;

namespace ChatEngine.Training.Data;

/// <summary>
/// A JSONL file of conversations, one <c>{"messages": [{"role": ..., "content": ...}, ...]}</c> object per line, encoded
/// for training. Blank lines are ignored; any other line that cannot be used (bad JSON, no messages array, a message
/// without string role/content, no assistant turn, more tokens than a training row holds) is a
/// <see cref="TrainingDataException"/> with its line number: thrown under <see cref="BadLinePolicy.Fail"/>, listed in
/// <see cref="Skipped"/> under <see cref="BadLinePolicy.Skip"/>.
/// </summary>
public sealed class ChatDataset
{
    private ChatDataset(IReadOnlyList<TrainingExample> examples, IReadOnlyList<TrainingDataException> skipped)
    {
        Examples = examples;
        Skipped = skipped;
    }

    public IReadOnlyList<TrainingExample> Examples { get; }
    public IReadOnlyList<TrainingDataException> Skipped { get; }

    public static ChatDataset Load(string path, ChatExampleEncoder encoder, int maxTokens, BadLinePolicy policy)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"training data file '{path}' does not exist", path);
        var examples = new List<TrainingExample>();
        var skipped = new List<TrainingDataException>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var (tokens, isTarget) = encoder.Encode(ParseMessages(line));
                if (tokens.Length > maxTokens)
                    throw new ArgumentException($"the conversation is {tokens.Length} tokens long, more than the {maxTokens} a training row holds (--ctx-size)");
                examples.Add(new TrainingExample(lineNumber, tokens, isTarget));
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or TemplateRenderException)
            {
                var error = new TrainingDataException(path, lineNumber, e is JsonException ? $"invalid JSON: {e.Message}" : e.Message);
                if (policy == BadLinePolicy.Fail) throw error;
                skipped.Add(error);
            }
        }
        if (examples.Count == 0)
            throw new TrainingDataException(path, lineNumber, skipped.Count == 0 ? "the file has no conversations" : $"all {skipped.Count} conversations were unusable");
        return new ChatDataset(examples, skipped);
    }

    private static JsonArray ParseMessages(string line)
    {
        var root = JsonNode.Parse(line) as JsonObject ?? throw new ArgumentException("the line is not a JSON object");
        if (root["messages"] is not JsonArray messages || messages.Count == 0)
            throw new ArgumentException("the object has no non-empty \"messages\" array");
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message) throw new ArgumentException($"messages[{i}] is not an object");
            foreach (var field in new[] { "role", "content" })
                if (message[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                    throw new ArgumentException($"messages[{i}].{field} is missing or not a string");
        }
        if (!messages.Any(m => m!["role"]!.GetValue<string>() == "assistant"))
            throw new ArgumentException("the conversation has no assistant message to learn from");
        return messages;
    }
}
