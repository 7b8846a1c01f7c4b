namespace ChatEngine.ChatOutput;

/// <summary>
/// Picks a template's family by searching its source for the markers it teaches the model, most specific first
/// (several families share <c>&lt;tool_call&gt;</c>, so those with extra markers are tested before Hermes).
/// </summary>
internal static class FamilyDetector
{
    private static readonly (ChatFamily Family, string[] AllOf)[] Rules =
    [
        (ChatFamily.GptOss, ["<|channel|>", "<|start|>"]),
        (ChatFamily.DeepSeekV4, ["｜DSML｜", "tool_calls>"]),
        (ChatFamily.DeepSeekV32, ["｜DSML｜"]),
        (ChatFamily.DeepSeekR1, ["tool▁calls▁begin", "```json"]),
        (ChatFamily.DeepSeekV31, ["tool▁calls▁begin"]),
        (ChatFamily.Kimi, ["<|tool_calls_section_begin|>"]),
        (ChatFamily.MiniMax, ["<minimax:tool_call>"]),
        (ChatFamily.SeedOss, ["<seed:tool_call>"]),
        (ChatFamily.Gemma4, ["<|tool_call>"]),
        (ChatFamily.Hy3, ["<tool_calls{}>", ":opensource"]),
        (ChatFamily.Glm, ["<arg_key>"]),
        (ChatFamily.Qwen3CoderXml, ["<tool_call>", "<function=", "<parameter="]),
        (ChatFamily.CommandR7B, ["<|START_ACTION|>"]),
        (ChatFamily.Mistral, ["[TOOL_CALLS]", "[ARGS]"]),
        (ChatFamily.MistralNemo, ["[TOOL_CALLS]"]),
        (ChatFamily.NemotronNanoV2, ["<TOOLCALL>"]),
        (ChatFamily.Apriel, ["<tool_calls>"]),
        (ChatFamily.Apertus, ["<|tools_prefix|>"]),
        (ChatFamily.Lfm2, ["<|tool_call_start|>"]),
        (ChatFamily.GigaChat31, ["<|function_call|>"]),
        (ChatFamily.GigaChat3, ["<|role_sep|>", "function call"]),
        (ChatFamily.Granite33, ["<|tool_call|>"]),
        (ChatFamily.SolarOpen, ["<|tool_call:begin|>"]),
        (ChatFamily.FunctionaryV32, [">>>"]),
        (ChatFamily.Firefunction, ["functools"]),
        (ChatFamily.FunctionaryV31, ["<function="]),
        (ChatFamily.Hermes, ["<tool_call>"]),
        (ChatFamily.CommandRPlus, ["Action:", "tool_name"]),
        (ChatFamily.Llama3, ["\"parameters\": dictionary"]),
    ];

    public static ChatFamily Detect(string templateSource)
    {
        foreach (var (family, allOf) in Rules)
        {
            if (allOf.All(marker => templateSource.Contains(marker, StringComparison.Ordinal))) return family;
        }
        return ChatFamily.Generic;
    }
}
