using ChatEngine.Runtime.Generation;

namespace ChatEngine.Server.Protocol;

/// <summary>A validated chat or text completion request, ready for the scheduler.</summary>
internal sealed record GenerationRequest(
    int[] Prompt,
    GenerationOptions Options,
    bool Stream,
    bool IncludeUsage,
    string Model);
