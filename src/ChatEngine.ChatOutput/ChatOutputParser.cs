namespace ChatEngine.ChatOutput;

/// <summary>Turns a model's generated text into content, reasoning and tool calls for one format.</summary>
public sealed class ChatOutputParser(ChatOutputFormat format, ChatOutputOptions? options = null)
{
    private readonly ChatOutputOptions _options = options ?? new ChatOutputOptions();

    public ChatOutputFormat Format => format;

    /// <summary>Parses a complete output. A call cut off by the end of the text is not a call: its raw text stays in the content.</summary>
    public ParsedMessage Parse(string text) => ToMessage(format.Parse(text, final: true, _options), _options);

    /// <summary>A parser for one streamed output.</summary>
    public StreamingChatOutputParser StartStream() => new(format, _options);

    internal static ParsedMessage ToMessage(Snapshot snapshot, ChatOutputOptions options)
    {
        var calls = snapshot.Calls.Select((call, i) => new ToolCall(call.Id ?? options.NewCallId(i), call.Name!, call.Arguments)).ToList();
        return new ParsedMessage(snapshot.Content.ToString(), snapshot.Reasoning.ToString(), calls, snapshot.EndedMidCall);
    }
}
