using ChatEngine.TestData;

namespace ChatEngine.Extensions.AI.Tests;

/// <summary>stories260K with Qwen2.5's chat template (from ../shared; Hermes-style tool calls), for tool-calling tests.</summary>
internal static class ToolModel
{
    public static InProcessModel Load()
    {
        var template = TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja");
        return InProcessModel.Load(TestPaths.Model("stories260K.gguf"), new InProcessModelOptions
        {
            ContextSize = 4096, MaxConcurrentSequences = 2, Threads = 1, DefaultMaxOutputTokens = 120,
            ChatTemplate = File.Exists(template) ? File.ReadAllText(template) : null,
        });
    }
}
