using System.Text.Json.Nodes;
using ChatEngine.Runtime;
using ChatEngine.Templates;
using ChatEngine.TestData;
using ChatEngine.Training.Data;

namespace ChatEngine.Training.Tests;

/// <summary>The shipped stories260K model (repo models/, no ../shared needed) and helpers to encode chats for it.</summary>
internal static class Stories
{
    public static string ModelPath => Path.Combine(TestPaths.RepoRoot, "models", "stories260K.gguf");

    public static LanguageModel Load() => LanguageModel.Load(ModelPath, 1);

    public static ChatExampleEncoder Encoder(LanguageModel model) => new(ChatPromptRenderer.ForModel(model));

    /// <summary>
    /// The demo's newline-terminated User:/Bot: template (prompts/finetune/template.jinja). stories260K's frozen output
    /// head cannot give ChatML's '&lt;', '|' and '>' or EOS a high probability, so only this format can be learnt to ~0 loss.
    /// </summary>
    public static ChatExampleEncoder DemoEncoder(LanguageModel model) =>
        new(new ChatPromptRenderer(ChatTemplate.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "prompts", "finetune", "template.jinja"))), model.Tokenizer));

    public static string Line(string user, string assistant) =>
        new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = user },
                new JsonObject { ["role"] = "assistant", ["content"] = assistant }),
        }.ToJsonString();

    public static IReadOnlyList<TrainingExample> Examples(ChatExampleEncoder encoder, params (string User, string Assistant)[] chats) =>
        chats.Select((c, i) =>
        {
            var messages = (JsonArray)JsonNode.Parse(Line(c.User, c.Assistant))!["messages"]!;
            var (tokens, isTarget) = encoder.Encode(messages);
            return new TrainingExample(i + 1, tokens, isTarget);
        }).ToArray();

    /// <summary>A temporary directory removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("chatengine-training-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
