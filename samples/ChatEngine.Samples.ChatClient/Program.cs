// Semantic Kernel-style use of ChatEngine through Microsoft.Extensions.AI's abstractions only: a middleware pipeline
// of DelegatingChatClients, a templated prompt function, a streamed chat history and an embedding-based recall step.
// Usage: dotnet run --project samples/ChatEngine.Samples.ChatClient -- [model.gguf]
using ChatEngine.Extensions.AI;
using ChatEngine.Samples.ChatClient;
using Microsoft.Extensions.AI;

var path = args.Length > 0 ? args[0] : Path.Combine("models", "stories260K.gguf");
using var model = InProcessModel.Load(path, new InProcessModelOptions { ContextSize = 512, MaxConcurrentSequences = 2 });

// The "kernel": the in-process client wrapped in middleware, outermost first.
var usage = new UsageTrackingChatClient(new InstructionsChatClient(model.AsChatClient(), "You are a storyteller for small children."));
IChatClient kernel = usage;
var embeddings = model.AsEmbeddingGenerator();

// 1. A prompt function with arguments and its own execution settings.
var storyStart = new PromptFunction("Write the first lines of a story about {{$hero}} who finds {{$thing}}.",
    new ChatOptions { Temperature = 0, MaxOutputTokens = 48 });
Console.WriteLine("prompt function: " + await storyStart.InvokeAsync(kernel, new Dictionary<string, string> { ["hero"] = "a little fox", ["thing"] = "a red ball" }));

// 2. "Memory": recall the closest fact by cosine similarity (embeddings are unit length, so a dot product).
string[] facts = ["The fox lives in the forest.", "The ball is red and round.", "It rained all day."];
var factVectors = await embeddings.GenerateAsync(facts);
var question = await embeddings.GenerateVectorAsync("Where does the fox live?");
var recalled = facts[Enumerable.Range(0, facts.Length).MaxBy(i => System.Numerics.Tensors.TensorPrimitives.Dot(question.Span, factVectors[i].Vector.Span))];
Console.WriteLine("recalled: " + recalled);

// 3. A chat history that grows turn by turn, answers streamed.
List<ChatMessage> history = [new(ChatRole.User, $"{recalled} Tell me about the fox.")];
Console.Write("streamed: ");
var updates = new List<ChatResponseUpdate>();
await foreach (var update in kernel.GetStreamingResponseAsync(history, new ChatOptions { Temperature = 0, MaxOutputTokens = 48 }))
{
    Console.Write(update.Text);
    updates.Add(update);
}
history.AddMessages(updates);
Console.WriteLine();
Console.WriteLine($"history: {history.Count} messages; tokens used: {usage.InputTokens} in, {usage.OutputTokens} out");
