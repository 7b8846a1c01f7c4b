using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Generation;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// A validated chat or text completion request, ready for the scheduler: <see cref="Choices"/> independent
/// sequences (<c>n</c>), choice i generated with <see cref="OptionsFor"/>(i). <see cref="Echo"/> is the prompt text
/// to put before each choice's text (<c>echo</c>), or null. <see cref="Tools"/>: a chat request's tools, tool_choice,
/// parallel_tool_calls and reasoning_format (null for text completions). <see cref="OutputParser"/>: splits each chat
/// choice into content, reasoning and tool calls (null: the text is the content as generated).
/// </summary>
internal sealed record GenerationRequest(
    int[] Prompt,
    GenerationOptions Options,
    bool Stream,
    bool IncludeUsage,
    string Model,
    int Choices,
    string? Echo)
{
    public ChatToolOptions? Tools { get; init; }

    public ChatOutputParser? OutputParser { get; init; }

    /// <summary>Choice i uses seed + i when a seed was given, so a seeded request reproduces every choice; without a
    /// seed each choice draws its own random one.</summary>
    public GenerationOptions OptionsFor(int choice) =>
        choice == 0 || Options.Sampling.Seed is not { } seed ? Options : Options with { Sampling = Options.Sampling with { Seed = unchecked(seed + (ulong)choice) } };
}
