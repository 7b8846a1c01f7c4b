using Xunit;

namespace ChatEngine.ChatOutput.Tests;

public class ForcedCallTests
{
    private const string Arguments = """{"city":"Paris"}""";

    private static IEnumerable<ChatFamily> WithForcedCalls() =>
        Enum.GetValues<ChatFamily>().Where(family => ChatOutputFormat.For(family).ForcedCall("f") is not null);

    public static TheoryData<ChatFamily> FamiliesWithForcedCalls => [.. WithForcedCalls()];

    [Theory]
    [MemberData(nameof(FamiliesWithForcedCalls))]
    public void Prefix_arguments_suffix_parses_back_to_the_call(ChatFamily family)
    {
        var format = ChatOutputFormat.For(family);
        var syntax = format.ForcedCall("get_weather")!;
        var text = syntax.Prefix + Arguments + syntax.Suffix;
        var parser = new ChatOutputParser(format, new ChatOutputOptions { NewCallId = i => $"call_{i}" });
        var message = parser.Parse(text);
        var call = Assert.Single(message.ToolCalls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal(Arguments, call.Arguments);
        Assert.Equal("", message.Content);
        Assert.False(message.EndedMidCall);

        var stream = parser.StartStream();
        foreach (var c in text) stream.Feed(c.ToString());
        Assert.Equal(message, stream.Finish().Message with { ToolCalls = message.ToolCalls });
    }

    [Fact]
    public void The_families_whose_syntax_is_parsed_and_json_shaped_all_offer_a_forced_call()
    {
        var expected = new[]
        {
            ChatFamily.Generic, ChatFamily.Hermes, ChatFamily.Llama3, ChatFamily.MistralNemo, ChatFamily.Mistral, ChatFamily.GptOss,
            ChatFamily.DeepSeekR1, ChatFamily.DeepSeekV31, ChatFamily.Kimi, ChatFamily.CommandR7B, ChatFamily.CommandRPlus,
            ChatFamily.NemotronNanoV2, ChatFamily.Apriel, ChatFamily.GigaChat3, ChatFamily.GigaChat31, ChatFamily.Granite33,
            ChatFamily.SolarOpen, ChatFamily.FunctionaryV31, ChatFamily.Firefunction, ChatFamily.Apertus,
        };
        Assert.Equal(expected.Order(), WithForcedCalls().Order());
    }

    /// <summary>A lazy grammar waits for <see cref="ChatOutputFormat.CallTrigger"/>: where there is one, a forced call
    /// written after some text is parsed as that text and the call; families that only recognise a call at the start
    /// of the answer have none, and so has gpt-oss (its calls are channels, parsed by the harmony parser).</summary>
    [Theory]
    [MemberData(nameof(FamiliesWithForcedCalls))]
    public void A_call_trigger_begins_the_forced_call_and_opens_it_after_text(ChatFamily family)
    {
        var format = ChatOutputFormat.For(family);
        var syntax = format.ForcedCall("get_weather")!;
        if (format.CallTrigger is not { } trigger)
        {
            Assert.Contains(family, new[] { ChatFamily.Llama3, ChatFamily.Generic, ChatFamily.GigaChat3, ChatFamily.CommandRPlus, ChatFamily.GptOss });
            return;
        }
        Assert.StartsWith(trigger, syntax.Prefix);
        var message = new ChatOutputParser(format).Parse("Let me look that up.\n" + syntax.Prefix + Arguments + syntax.Suffix);
        Assert.Equal("Let me look that up.", message.Content);
        Assert.Equal(Arguments, Assert.Single(message.ToolCalls).Arguments);
    }

    [Fact]
    public void Hermes_forced_call_is_the_templates_own_block()
    {
        var syntax = ChatOutputFormat.For(ChatFamily.Hermes).ForcedCall("get_weather")!;
        Assert.Equal("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ", syntax.Prefix);
        Assert.Equal("}\n</tool_call>", syntax.Suffix);
    }
}
