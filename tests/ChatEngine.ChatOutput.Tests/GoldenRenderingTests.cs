using System.Text.Json.Nodes;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.ChatOutput.Tests;

/// <summary>
/// The templates' own renderings of assistant tool calls (../shared/golden/chat-templates-tools.json, by jinja2): what a
/// model trained on a template writes. Parsing the rendering from the call on must give back the conversation's calls.
/// </summary>
public class GoldenRenderingTests
{
    /// <summary>Templates whose history rendering carries no call to parse (README: they leave tool calls out) or whose syntax is not parsed.</summary>
    private static readonly HashSet<string> NoCallInHistory =
        ["LFM2-8B-A1B", "ibm-granite-granite-3.3-2B-Instruct", "microsoft-Phi-3.5-mini-instruct", "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.2026-08"];

    private static readonly HashSet<ChatFamily> Unparsed = [ChatFamily.Generic, ChatFamily.FunctionaryV32];

    private static JsonObject Golden() => JsonNode.Parse(File.ReadAllText(TestPaths.Golden("chat-templates-tools.json")))!.AsObject();

    public static TheoryData<string, string> Renderings()
    {
        var data = new TheoryData<string, string>();
        if (!TestPaths.HasShared) return data;
        foreach (var c in Golden()["cases"]!.AsArray())
        {
            var conversation = (string)c!["conversation"]!;
            var template = Path.GetFileNameWithoutExtension((string)c["template_file"]!);
            if (conversation is not ("tool_call_single" or "tool_calls_parallel") || !(bool)c["add_generation_prompt"]! || NoCallInHistory.Contains(template))
                continue;
            var family = ChatOutputFormat.FromTemplate(File.ReadAllText(TestPaths.Shared("templates", template + ".jinja"))).Family;
            if (!Unparsed.Contains(family)) data.Add(template, conversation);
        }
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Renderings))]
    public void The_rendered_history_call_parses_back_to_the_conversations_call(string template, string conversation)
    {
        var golden = Golden();
        var rendered = (string)golden["cases"]!.AsArray()
            .First(c => (string)c!["conversation"]! == conversation && (bool)c["add_generation_prompt"]!
                        && Path.GetFileNameWithoutExtension((string)c["template_file"]!) == template)!["rendered"]!;
        var messages = golden["conversations"]![conversation]!.AsArray();
        var expected = messages[1]!["tool_calls"]!.AsArray().Select(call => call!["function"]!).ToList();
        var format = ChatOutputFormat.FromTemplate(File.ReadAllText(TestPaths.Shared("templates", template + ".jinja")));
        // these templates render only tool_calls[0]
        if (format.Family is ChatFamily.GptOss or ChatFamily.GigaChat3 or ChatFamily.GigaChat31) expected = expected.Take(1).ToList();

        var userText = (string)messages[0]!["content"]!;
        var afterUser = rendered.IndexOf(userText, StringComparison.Ordinal) + userText.Length;
        var callAt = rendered.IndexOf(OpeningMarker[format.Family], afterUser, StringComparison.Ordinal);
        Assert.True(callAt >= 0, "the rendering holds the call's opening marker");

        var calls = new ChatOutputParser(format).Parse(rendered[callAt..]).ToolCalls;
        Assert.True(calls.Count >= expected.Count, $"{calls.Count} calls parsed from: {rendered[callAt..][..Math.Min(300, rendered.Length - callAt)]}");
        foreach (var (want, got) in expected.Zip(calls))
        {
            Assert.Equal((string)want["name"]!, got.Name);
            Assert.True(JsonNode.DeepEquals(want["arguments"], JsonNode.Parse(got.Arguments)), $"{got.Arguments} vs {want["arguments"]!.ToJsonString()}");
        }
    }

    /// <summary>The templates the README lists as rendering the reasoning of the last assistant turn, less those whose calls are not parsed.</summary>
    public static TheoryData<string> KeepReasoning =>
    [
        "CohereForAI-c4ai-command-r7b-12-2024-tool_use.2026-08", "GLM-4.6", "MiniMax-M2", "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", "Qwen3.5-4B",
        "StepFun3.5-Flash", "openai-gpt-oss-120b", "tencent-Hy3", "upstage-Solar-Open-100B", "Bielik-11B-v3.0-Instruct", "ByteDance-Seed-OSS",
        "Cohere2MoE", "poolside-Laguna-XS-2.1", "poolside-Laguna-XS.2", "google-gemma-4-31B-it", "LFM2.5-8B-A1B",
    ];

    [SharedTheory]
    [MemberData(nameof(KeepReasoning))]
    public void The_rendered_reasoning_and_call_parse_back_to_the_conversations(string template)
    {
        var golden = Golden();
        var rendered = (string)golden["cases"]!.AsArray()
            .First(c => (string)c!["conversation"]! == "tool_call_with_reasoning" && (bool)c["add_generation_prompt"]!
                        && Path.GetFileNameWithoutExtension((string)c["template_file"]!) == template)!["rendered"]!;
        var messages = golden["conversations"]!["tool_call_with_reasoning"]!.AsArray();
        var format = ChatOutputFormat.FromTemplate(File.ReadAllText(TestPaths.Shared("templates", template + ".jinja")));
        var userText = (string)messages[0]!["content"]!;
        var start = format.Family == ChatFamily.GptOss ? "<|channel|>analysis" : format.Reasoning!.Start;
        var reasoningAt = rendered.IndexOf(start, rendered.IndexOf(userText, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(reasoningAt >= 0);

        var message = new ChatOutputParser(format).Parse(rendered[reasoningAt..]);
        Assert.Equal((string)messages[1]!["reasoning_content"]!, message.Reasoning);
        var want = messages[1]!["tool_calls"]![0]!["function"]!;
        var got = message.ToolCalls[0];
        Assert.Equal((string)want["name"]!, got.Name);
        Assert.True(JsonNode.DeepEquals(want["arguments"], JsonNode.Parse(got.Arguments)));
    }

    /// <summary>The text each family's call starts with, from the README table.</summary>
    private static readonly Dictionary<ChatFamily, string> OpeningMarker = new()
    {
        [ChatFamily.Hermes] = "<tool_call>", [ChatFamily.Qwen3CoderXml] = "<tool_call>", [ChatFamily.Glm] = "<tool_call>",
        [ChatFamily.Llama3] = "{\"name\"", [ChatFamily.MistralNemo] = "[TOOL_CALLS]", [ChatFamily.Mistral] = "[TOOL_CALLS]",
        [ChatFamily.GptOss] = "<|start|>assistant", [ChatFamily.DeepSeekR1] = "<｜tool▁calls▁begin｜>", [ChatFamily.DeepSeekV31] = "<｜tool▁calls▁begin｜>",
        [ChatFamily.DeepSeekV32] = "<｜DSML｜", [ChatFamily.DeepSeekV4] = "<｜DSML｜", [ChatFamily.Kimi] = "<|tool_calls_section_begin|>",
        [ChatFamily.CommandR7B] = "<|START_ACTION|>", [ChatFamily.CommandRPlus] = "Action:", [ChatFamily.MiniMax] = "<minimax:tool_call>",
        [ChatFamily.SeedOss] = "<seed:tool_call>", [ChatFamily.Hy3] = "<tool_calls:opensource>", [ChatFamily.NemotronNanoV2] = "<TOOLCALL>",
        [ChatFamily.Apriel] = "<tool_calls>", [ChatFamily.Granite33] = "<|tool_call|>", [ChatFamily.GigaChat3] = "function call<|role_sep|>",
        [ChatFamily.GigaChat31] = "<|function_call|>", [ChatFamily.SolarOpen] = "<|tool_calls|>", [ChatFamily.FunctionaryV31] = "<function=",
        [ChatFamily.Firefunction] = "functools", [ChatFamily.Gemma4] = "<|tool_call>",
        [ChatFamily.Apertus] = "<|tools_prefix|>", [ChatFamily.Lfm2] = "<|tool_call_start|>",
    };
}
