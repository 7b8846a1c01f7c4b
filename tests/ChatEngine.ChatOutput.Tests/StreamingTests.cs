using System.Text;
using Xunit;

namespace ChatEngine.ChatOutput.Tests;

public class StreamingTests
{
    public static TheoryData<OutputCase> Cases => ParserTests.Cases;

    /// <summary>What a client rebuilds from the deltas, OpenAI-accumulator style, less the calls the finish withdraws.</summary>
    private sealed record Accumulated(string Content, string Reasoning, List<ToolCall> Calls, StreamFinish Finish);

    private static Accumulated Stream(OutputCase c, IEnumerable<string> pieces)
    {
        var stream = ParserTests.ParserFor(c).StartStream();
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        void Apply(ChatOutputDelta delta)
        {
            Assert.True((delta.Content is null ? 0 : 1) + (delta.Reasoning is null ? 0 : 1) + (delta.ToolCall is null ? 0 : 1) == 1);
            content.Append(delta.Content);
            reasoning.Append(delta.Reasoning);
            if (delta.ToolCall is { } call)
            {
                if (call.Id is not null)
                {
                    Assert.False(calls.ContainsKey(call.Index), "a call's header comes once");
                    Assert.Equal("function", call.Type);
                    Assert.NotNull(call.Name);
                    calls[call.Index] = (call.Id, call.Name, new StringBuilder(call.Arguments));
                }
                else
                {
                    Assert.Null(call.Name);
                    calls[call.Index].Arguments.Append(call.Arguments);
                }
            }
        }
        foreach (var piece in pieces)
        {
            foreach (var delta in stream.Feed(piece)) Apply(delta);
        }
        var finish = stream.Finish();
        foreach (var delta in finish.Deltas) Apply(delta);
        var kept = calls.Where(kv => !finish.WithdrawnCallIndexes.Contains(kv.Key))
            .Select(kv => new ToolCall(kv.Value.Id, kv.Value.Name, kv.Value.Arguments.ToString())).ToList();
        return new Accumulated(content.ToString(), reasoning.ToString(), kept, finish);
    }

    private static IEnumerable<string> Chars(string text)
    {
        // whole UTF-16 code points: a generator never hands out half a surrogate pair
        for (var i = 0; i < text.Length; i += char.IsHighSurrogate(text[i]) ? 2 : 1)
            yield return text.Substring(i, char.IsHighSurrogate(text[i]) ? 2 : 1);
    }

    private static IEnumerable<string> RandomSplits(string text, Random random)
    {
        var at = 0;
        while (at < text.Length)
        {
            var length = Math.Min(random.Next(1, 9), text.Length - at);
            if (char.IsHighSurrogate(text[at + length - 1]) && at + length < text.Length) length++;
            yield return text.Substring(at, length);
            at += length;
        }
    }

    private static void AssertSameAsParse(OutputCase c, Accumulated streamed)
    {
        var parsed = ParserTests.ParserFor(c).Parse(c.Text);
        Assert.Equal(parsed.Content, streamed.Content);
        Assert.Equal(parsed.Reasoning, streamed.Reasoning);
        Assert.Equal(parsed.ToolCalls, streamed.Calls);
        Assert.Equal(parsed.EndedMidCall, streamed.Finish.EndedMidCall);
        Assert.Equal(parsed, streamed.Finish.Message with { ToolCalls = streamed.Finish.Message.ToolCalls }, MessageComparer.Instance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_character_at_a_time_rebuilds_the_parse(OutputCase c) => AssertSameAsParse(c, Stream(c, Chars(c.Text)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_splits_rebuild_the_parse(OutputCase c)
    {
        var random = new Random(20261203);
        for (var round = 0; round < 20; round++) AssertSameAsParse(c, Stream(c, RandomSplits(c.Text, random)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_whole_text_at_once_rebuilds_the_parse(OutputCase c) => AssertSameAsParse(c, Stream(c, [c.Text]));

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_streamed_content_delta_carries_marker_text_the_parse_drops(OutputCase c)
    {
        var parsed = ParserTests.ParserFor(c).Parse(c.Text);
        var stream = ParserTests.ParserFor(c).StartStream();
        var sent = new StringBuilder();
        foreach (var piece in Chars(c.Text))
        {
            foreach (var delta in stream.Feed(piece)) sent.Append(delta.Content);
            // before the end every content byte streamed is final: it is a prefix of the parsed content
            Assert.StartsWith(sent.ToString(), parsed.Content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_call_streams_its_header_first_then_argument_fragments()
    {
        var c = OutputCases.All().First(x => x.Family == ChatFamily.Hermes && x.Name == "single");
        var stream = ParserTests.ParserFor(c).StartStream();
        var deltas = Chars(c.Text).SelectMany(stream.Feed).ToList();
        deltas.AddRange(stream.Finish().Deltas);
        var header = Assert.Single(deltas, d => d.ToolCall?.Id is not null).ToolCall!;
        Assert.Equal(new ToolCallDelta(0, "call_0", "function", "get_weather", ""), header);
        var fragments = deltas.SkipWhile(d => d.ToolCall?.Id is null).Skip(1).Select(d => d.ToolCall!).ToList();
        Assert.True(fragments.Count > 5, "arguments arrive in many fragments");
        Assert.All(fragments, f => Assert.Equal(0, f.Index));
        Assert.Equal("{\"city\": \"Paris\"}", string.Concat(fragments.Select(f => f.Arguments)));
        Assert.DoesNotContain(deltas, d => d.Content is not null);
    }

    [Fact]
    public void A_call_cut_off_is_withdrawn_at_the_finish_and_its_text_becomes_content()
    {
        var c = OutputCases.All().First(x => x.Family == ChatFamily.Hermes && x.Name == "cut mid call");
        var streamed = Stream(c, Chars(c.Text));
        Assert.True(streamed.Finish.EndedMidCall);
        Assert.Equal([0], streamed.Finish.WithdrawnCallIndexes);
        Assert.Equal(c.Text, streamed.Content);
    }

    [Fact]
    public void A_held_back_partial_marker_is_released_at_the_finish()
    {
        var stream = new ChatOutputParser(ChatOutputFormat.For(ChatFamily.Hermes)).StartStream();
        Assert.Equal([new ChatOutputDelta("Hello", null, null)], stream.Feed("Hello <tool_ca"));
        var finish = stream.Finish();
        Assert.Equal([new ChatOutputDelta(" <tool_ca", null, null)], finish.Deltas);
        Assert.False(finish.EndedMidCall);
    }

    /// <summary>
    /// Every cut of every case (a length limit can stop generation anywhere): the calls reported are whole calls of the
    /// full output, in order, and the deltas streamed for the cut text rebuild its parse.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Any_cut_reports_only_whole_calls_and_streams_the_same(OutputCase c)
    {
        var full = ParserTests.ParserFor(c).Parse(c.Text);
        var random = new Random(7);
        for (var length = 0; length < c.Text.Length; length += 3)
        {
            if (char.IsLowSurrogate(c.Text[length])) length++;
            var cut = c with { Text = c.Text[..length] };
            var parsed = ParserTests.ParserFor(cut).Parse(cut.Text);
            Assert.True(parsed.ToolCalls.Count <= full.ToolCalls.Count, $"cut at {length}");
            Assert.Equal(full.ToolCalls.Take(parsed.ToolCalls.Count), parsed.ToolCalls);
            AssertSameAsParse(cut, Stream(cut, RandomSplits(cut.Text, random)));
        }
    }

    private sealed class MessageComparer : IEqualityComparer<ParsedMessage>
    {
        public static readonly MessageComparer Instance = new();

        public bool Equals(ParsedMessage? x, ParsedMessage? y) =>
            x!.Content == y!.Content && x.Reasoning == y.Reasoning && x.EndedMidCall == y.EndedMidCall && x.ToolCalls.SequenceEqual(y.ToolCalls);

        public int GetHashCode(ParsedMessage obj) => obj.Content.GetHashCode(StringComparison.Ordinal);
    }
}
