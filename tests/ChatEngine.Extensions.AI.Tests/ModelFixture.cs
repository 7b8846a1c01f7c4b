using System.Text.Json.Nodes;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>stories260K behind an <see cref="InProcessModel"/> with 4 sequences (so 8 callers must queue), plus a reference run.</summary>
public sealed class ModelFixture : IDisposable
{
    public InProcessModel Model { get; } = InProcessModel.Load(TestPaths.Model("stories260K.gguf"),
        new InProcessModelOptions { ContextSize = 256, MaxConcurrentSequences = 4, Threads = 1, DefaultMaxOutputTokens = 32 });

    /// <summary>What the runtime generates greedily for one user message, on a context of its own, with nothing else running.</summary>
    public (string Text, int PromptTokens, int Generated, FinishReason Finish) Reference(string user, int maxTokens)
    {
        lock (this)
        {
            var prompt = ChatPromptRenderer.ForModel(Model.Model).RenderTokens(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = user }), addGenerationPrompt: true);
            var generator = new TextGenerator(Model.Model.CreateContext(256), Model.Model.Tokenizer);
            var tokens = generator.Generate(prompt, new GenerationOptions { MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy }).ToList();
            return (string.Concat(tokens.Select(t => t.Text)), prompt.Length, tokens.Count, tokens[^1].FinishReason!.Value);
        }
    }

    public void Dispose() => Model.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "model";
}
