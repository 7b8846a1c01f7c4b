using System.Text.Json.Nodes;

namespace ChatEngine.Templates;

/// <summary>
/// The variables transformers passes to a chat template besides <c>messages</c>. <see cref="Tools"/> and
/// <see cref="Documents"/> are always defined for the template (as None when null), as in
/// <c>apply_chat_template</c>.
/// </summary>
public sealed record ChatRenderOptions
{
    /// <summary>Append the opening of an assistant turn (<c>add_generation_prompt</c>).</summary>
    public bool AddGenerationPrompt { get; init; }

    /// <summary>The model's BOS token text (<c>bos_token</c>); empty when the model has none.</summary>
    public string BosToken { get; init; } = "";

    /// <summary>The model's EOS token text (<c>eos_token</c>).</summary>
    public string EosToken { get; init; } = "";

    /// <summary>Tool (function) schemas as OpenAI-style JSON, or null for None.</summary>
    public JsonNode? Tools { get; init; }

    /// <summary>RAG documents, or null for None.</summary>
    public JsonNode? Documents { get; init; }

    /// <summary>Further template variables (e.g. <c>enable_thinking</c>, <c>date_string</c>); they override the ones above.</summary>
    public IReadOnlyDictionary<string, JsonNode?> ExtraVariables { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The clock behind <c>strftime_now</c> (local time, as Python's datetime.now()).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
