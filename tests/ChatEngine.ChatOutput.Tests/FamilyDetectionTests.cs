using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.ChatOutput.Tests;

public class FamilyDetectionTests
{
    /// <summary>
    /// Every template in ../shared/templates and its family, written from the rows of ../shared/golden/README.md
    /// (chat-templates-tools.json section). Templates no row names carry no tool-call syntax and fall back to generic.
    /// </summary>
    public static readonly TheoryData<string, ChatFamily> ReadmeFamilies = new()
    {
        { "Apertus-8B-Instruct", ChatFamily.Apertus },
        { "Apriel-1.6-15b-Thinker-fixed", ChatFamily.Apriel },
        { "Bielik-11B-v3.0-Instruct", ChatFamily.Hermes },
        { "ByteDance-Seed-OSS", ChatFamily.SeedOss },
        { "Cohere2MoE", ChatFamily.CommandR7B },
        { "CohereForAI-c4ai-command-r-plus-tool_use", ChatFamily.CommandRPlus },
        { "CohereForAI-c4ai-command-r7b-12-2024-tool_use.2026-08", ChatFamily.CommandR7B },
        { "CohereForAI-c4ai-command-r7b-12-2024-tool_use", ChatFamily.CommandR7B },
        { "GLM-4.6", ChatFamily.Glm },
        { "GigaChat3-10B-A1.8B", ChatFamily.GigaChat3 },
        { "GigaChat3.1-10B-A1.8B", ChatFamily.GigaChat31 },
        { "Kimi-K2-Instruct", ChatFamily.Kimi },
        { "Kimi-K2-Thinking", ChatFamily.Kimi },
        { "LFM2-8B-A1B", ChatFamily.Generic },
        { "LFM2.5-8B-A1B", ChatFamily.Lfm2 },
        { "MiMo-VL", ChatFamily.Hermes },
        { "MiniMax-M2", ChatFamily.MiniMax },
        { "Mistral-Small-3.2-24B-Instruct-2506", ChatFamily.Mistral },
        { "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", ChatFamily.Qwen3CoderXml },
        { "NVIDIA-Nemotron-Nano-v2", ChatFamily.NemotronNanoV2 },
        { "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", ChatFamily.Hermes },
        { "NousResearch-Hermes-3-Llama-3.1-8B-tool_use", ChatFamily.Hermes },
        { "Qwen-QwQ-32B", ChatFamily.Hermes },
        { "Qwen-Qwen2.5-7B-Instruct", ChatFamily.Hermes },
        { "Qwen3-Coder", ChatFamily.Qwen3CoderXml },
        { "Qwen3.5-4B", ChatFamily.Qwen3CoderXml },
        { "Reka-Edge", ChatFamily.Hermes },
        { "StepFun3.5-Flash", ChatFamily.Qwen3CoderXml },
        { "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.2026-08", ChatFamily.DeepSeekR1 },
        { "deepseek-ai-DeepSeek-R1-Distill-Llama-8B", ChatFamily.DeepSeekR1 },
        { "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.2026-08", ChatFamily.DeepSeekR1 },
        { "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", ChatFamily.DeepSeekR1 },
        { "deepseek-ai-DeepSeek-V3.1", ChatFamily.DeepSeekV31 },
        { "deepseek-ai-DeepSeek-V3.2", ChatFamily.DeepSeekV32 },
        { "deepseek-ai-DeepSeek-V4-Flash-0731", ChatFamily.DeepSeekV4 },
        { "deepseek-ai-DeepSeek-V4", ChatFamily.DeepSeekV4 },
        { "fireworks-ai-llama-3-firefunction-v2.2026-08", ChatFamily.Firefunction },
        { "fireworks-ai-llama-3-firefunction-v2", ChatFamily.Firefunction },
        { "google-gemma-2-2b-it", ChatFamily.Generic },
        { "google-gemma-4-31B-it", ChatFamily.Gemma4 },
        { "ibm-granite-granite-3.3-2B-Instruct", ChatFamily.Granite33 },
        { "ibm-granite-granite-4.0", ChatFamily.Hermes },
        { "ibm-granite-granite-4.1", ChatFamily.Hermes },
        { "llama-cpp-deepseek-r1.2026-08", ChatFamily.DeepSeekR1 },
        { "llama-cpp-deepseek-r1", ChatFamily.DeepSeekR1 },
        { "meetkai-functionary-medium-v3.1.2026-08", ChatFamily.FunctionaryV31 },
        { "meetkai-functionary-medium-v3.1", ChatFamily.FunctionaryV31 },
        { "meetkai-functionary-medium-v3.2", ChatFamily.FunctionaryV32 },
        { "meta-llama-Llama-3.1-8B-Instruct", ChatFamily.Llama3 },
        { "meta-llama-Llama-3.2-3B-Instruct", ChatFamily.Llama3 },
        { "meta-llama-Llama-3.3-70B-Instruct", ChatFamily.Llama3 },
        { "microsoft-Phi-3.5-mini-instruct", ChatFamily.Generic },
        { "mistralai-Ministral-3-14B-Reasoning-2512", ChatFamily.Mistral },
        { "mistralai-Mistral-Nemo-Instruct-2407", ChatFamily.MistralNemo },
        { "moonshotai-Kimi-K2", ChatFamily.Kimi },
        { "openai-gpt-oss-120b", ChatFamily.GptOss },
        { "poolside-Laguna-S-2.1", ChatFamily.Glm },
        { "poolside-Laguna-XS-2.1", ChatFamily.Glm },
        { "poolside-Laguna-XS.2", ChatFamily.Glm },
        { "tencent-Hy3", ChatFamily.Hy3 },
        { "unsloth-Apriel-1.5", ChatFamily.Apriel },
        { "unsloth-mistral-Devstral-Small-2507", ChatFamily.Mistral },
        { "upstage-Solar-Open-100B", ChatFamily.SolarOpen },
    };

    [SharedTheory]
    [MemberData(nameof(ReadmeFamilies))]
    public void Template_maps_to_the_family_its_readme_row_names(string template, ChatFamily family)
    {
        var source = File.ReadAllText(TestPaths.Shared("templates", template + ".jinja"));
        Assert.Equal(family, ChatOutputFormat.FromTemplate(source).Family);
    }

    /// <summary>Without tools only the reasoning is split: call markers after it are content, streamed the same.</summary>
    [Fact]
    public void Without_calls_only_the_reasoning_is_split_off()
    {
        var format = ChatOutputFormat.ReasoningOnly("{{ '<think>' }}<tool_call>")!;
        var text = "<think>Plan it.</think>\n\nSure: <tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>";
        var parser = new ChatOutputParser(format);
        var message = parser.Parse(text);
        Assert.Equal("Plan it.", message.Reasoning);
        Assert.Equal("Sure: <tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>", message.Content);
        Assert.Empty(message.ToolCalls);

        var stream = parser.StartStream();
        var deltas = new List<ChatOutputDelta>();
        foreach (var c in text) deltas.AddRange(stream.Feed(c.ToString()));
        deltas.AddRange(stream.Finish().Deltas);
        Assert.Equal(message.Content, string.Concat(deltas.Select(d => d.Content)));
        Assert.Equal(message.Reasoning, string.Concat(deltas.Select(d => d.Reasoning)));
    }

    [SharedTheory]
    [InlineData("Qwen-QwQ-32B.jinja", true)]
    [InlineData("openai-gpt-oss-120b.jinja", true)]
    [InlineData("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", true)]
    [InlineData("Qwen-Qwen2.5-7B-Instruct.jinja", false)]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct.jinja", false)]
    public void Reasoning_templates_are_told_by_their_markers(string template, bool reasons)
    {
        var source = File.ReadAllText(TestPaths.Shared("templates", template));
        Assert.Equal(reasons, ChatOutputFormat.ReasoningOnly(source) is not null);
    }

    [SharedFact]
    public void The_table_covers_every_template_file()
    {
        var files = Directory.GetFiles(TestPaths.Shared("templates"), "*.jinja").Select(f => Path.GetFileNameWithoutExtension(f)).Order();
        var table = ReadmeFamilies.Select(row => (string)row[0]).Order();
        Assert.Equal(files, table);
    }

    [Fact]
    public void Unknown_template_falls_back_to_generic_json()
    {
        var format = ChatOutputFormat.FromTemplate("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}");
        Assert.Equal(ChatFamily.Generic, format.Family);
        var message = new ChatOutputParser(format).Parse("""{"tool_call": {"name": "get_weather", "arguments": {"city": "Paris"}}}""");
        Assert.Equal("get_weather", Assert.Single(message.ToolCalls).Name);
    }
}
