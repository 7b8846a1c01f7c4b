using System.Text;

namespace ChatEngine.ChatOutput;

/// <summary>
/// Parses an output as it is generated: each <see cref="Feed"/> re-parses the text so far and returns what is new since
/// the last call. Undecided text (a suffix that may still become a marker) is held back, so no marker reaches the content.
/// A call's header (index, id, type, name) is streamed once its name is known, then its arguments as they grow.
/// </summary>
public sealed class StreamingChatOutputParser
{
    private readonly ChatOutputFormat _format;
    private readonly ChatOutputOptions _options;
    private readonly StringBuilder _text = new();
    private readonly List<StreamedCall> _calls = [];
    private int _contentSent;
    private int _reasoningSent;
    private bool _finished;

    private sealed class StreamedCall(int start, int index)
    {
        public int Start { get; } = start;
        public int Index { get; } = index;
        public int ArgumentsSent { get; set; }
        public bool Withdrawn { get; set; }
    }

    internal StreamingChatOutputParser(ChatOutputFormat format, ChatOutputOptions options)
    {
        _format = format;
        _options = options;
    }

    public IReadOnlyList<ChatOutputDelta> Feed(string piece)
    {
        if (_finished) throw new InvalidOperationException("the stream is finished");
        _text.Append(piece);
        return Diff(_format.Parse(_text.ToString(), final: false, _options));
    }

    /// <summary>Ends the stream: releases what was held back and says which streamed calls turned out not to be calls.</summary>
    public StreamFinish Finish()
    {
        if (_finished) throw new InvalidOperationException("the stream is finished");
        _finished = true;
        var snapshot = _format.Parse(_text.ToString(), final: true, _options);
        var deltas = Diff(snapshot);
        var withdrawn = _calls.Where(call => call.Withdrawn || snapshot.Calls.All(c => c.Start != call.Start)).Select(call => call.Index).ToList();
        return new StreamFinish(deltas, snapshot.EndedMidCall, withdrawn, ChatOutputParser.ToMessage(snapshot, _options));
    }

    private List<ChatOutputDelta> Diff(Snapshot snapshot)
    {
        var deltas = new List<ChatOutputDelta>();
        var reasoning = snapshot.Reasoning.ToString();
        if (reasoning.Length > _reasoningSent)
        {
            deltas.Add(new ChatOutputDelta(null, reasoning[_reasoningSent..], null));
            _reasoningSent = reasoning.Length;
        }
        var content = snapshot.Content.ToString();
        if (content.Length > _contentSent)
        {
            deltas.Add(new ChatOutputDelta(content[_contentSent..], null, null));
            _contentSent = content.Length;
        }
        foreach (var call in _calls.Where(call => snapshot.Calls.All(c => c.Start != call.Start))) call.Withdrawn = true;
        foreach (var call in snapshot.Calls)
        {
            if (call.Name is null || !call.IdKnown) continue;
            var streamed = _calls.Find(c => c.Start == call.Start && !c.Withdrawn);
            if (streamed is null)
            {
                streamed = new StreamedCall(call.Start, _calls.Count);
                deltas.Add(new ChatOutputDelta(null, null,
                    new ToolCallDelta(streamed.Index, call.Id ?? _options.NewCallId(streamed.Index), "function", call.Name, "")));
                _calls.Add(streamed);
            }
            if (call.Arguments.Length > streamed.ArgumentsSent)
            {
                deltas.Add(new ChatOutputDelta(null, null, new ToolCallDelta(streamed.Index, null, null, null, call.Arguments[streamed.ArgumentsSent..])));
                streamed.ArgumentsSent = call.Arguments.Length;
            }
        }
        return deltas;
    }
}
