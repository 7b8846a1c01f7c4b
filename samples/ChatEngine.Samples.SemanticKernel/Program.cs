// Semantic Kernel with a C# plugin over ChatEngine's in-process IChatClient: the model calls get_weather, SK runs it
// and the model answers with its result. Use a model whose chat template knows tools (Qwen2.5/3, Llama 3.x, Mistral ...),
// or give a template file as the second argument.
// Usage: dotnet run --project samples/ChatEngine.Samples.SemanticKernel -- model.gguf [template.jinja] [--require-call]
using ChatEngine.Extensions.AI;
using ChatEngine.Samples.SemanticKernel;

var paths = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
if (paths.Length == 0)
{
    Console.Error.WriteLine("usage: ChatEngine.Samples.SemanticKernel model.gguf [template.jinja] [--require-call]");
    return 2;
}
using var model = InProcessModel.Load(paths[0], new InProcessModelOptions
{
    ContextSize = 4096, MaxConcurrentSequences = 1, ChatTemplate = paths.Length > 1 ? File.ReadAllText(paths[1]) : null,
});
var weather = new WeatherPlugin();
var kernel = ToolAgent.Create(model.AsChatClient(), weather, "weather");
var answer = await ToolAgent.AskAsync(kernel, "What is the weather in Paris?", requireCall: args.Contains("--require-call"));
Console.WriteLine($"called get_weather for: {string.Join(", ", weather.Cities)}");
Console.WriteLine($"answer: {answer}");
return 0;
