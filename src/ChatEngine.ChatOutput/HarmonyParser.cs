namespace ChatEngine.ChatOutput;

/// <summary>
/// gpt-oss's harmony format: a sequence of messages <c>[&lt;|start|&gt;assistant][ to=functions.NAME]&lt;|channel|&gt;CHANNEL[ to=functions.NAME][ &lt;|constrain|&gt;json]&lt;|message|&gt;BODY</c>,
/// each ended by <c>&lt;|end|&gt;</c>, <c>&lt;|call|&gt;</c> or <c>&lt;|return|&gt;</c>. The analysis channel is reasoning, a message
/// addressed to a function is a call with BODY as its arguments, the rest is content.
/// </summary>
internal static class HarmonyParser
{
    private const string Start = "<|start|>";
    private const string Channel = "<|channel|>";
    private const string Message = "<|message|>";
    private static readonly string[] Ends = ["<|end|>", "<|call|>", "<|return|>"];

    public static void Parse(string text, bool final, ReasoningFormat reasoningFormat, Snapshot snapshot)
    {
        var p = 0;
        while (p < text.Length)
        {
            var messageStart = p;
            var q = TextScan.SkipSpace(text, p);
            var rest = text.AsSpan(q);
            if (!rest.StartsWith(Start, StringComparison.Ordinal) && !rest.StartsWith(Channel, StringComparison.Ordinal))
            {
                var undecided = !final && (Start.AsSpan().StartsWith(rest) || Channel.AsSpan().StartsWith(rest));
                if (!undecided) snapshot.Content.Append(text, q, text.Length - q);
                return;
            }
            var bodyAt = text.IndexOf(Message, q, StringComparison.Ordinal);
            if (bodyAt < 0)
            {
                snapshot.EndedMidCall = final && text.AsSpan(q).Contains(" to=", StringComparison.Ordinal);
                if (snapshot.EndedMidCall) snapshot.Content.Append(text, q, text.Length - q);
                return;
            }
            var header = text[q..bodyAt];
            var bodyStart = bodyAt + Message.Length;
            var (bodyEnd, next) = FindEnd(text, bodyStart, final);
            var body = text[bodyStart..bodyEnd];
            var closed = next >= 0;
            var recipient = Recipient(header);
            if (recipient is not null)
            {
                var arguments = body.Trim();
                var complete = closed || final;
                if (complete && !JsonScan.IsObject(arguments))
                {
                    snapshot.EndedMidCall = !closed;
                    snapshot.Content.Append(text, messageStart, (closed ? next : text.Length) - messageStart);
                }
                else snapshot.Calls.Add(new CallSnapshot(messageStart, recipient, null, complete ? arguments : body.TrimStart().TrimEnd(), complete));
            }
            else if (ChannelName(header) == "analysis")
            {
                if (reasoningFormat == ReasoningFormat.None) snapshot.Content.Append(text, messageStart, (closed ? next : bodyEnd) - messageStart);
                else snapshot.Reasoning.Append(closed || final ? body.Trim() : body.TrimStart().TrimEnd());
            }
            else snapshot.Content.Append(closed || final ? body : body.TrimEnd());
            if (!closed) return;
            p = next;
        }
    }

    /// <summary>Where the body ends and the text after its end marker begins (-1 when the text ends first).</summary>
    private static (int BodyEnd, int Next) FindEnd(string text, int from, bool final)
    {
        var best = -1;
        var length = 0;
        foreach (var end in Ends)
        {
            var i = text.IndexOf(end, from, StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best))
            {
                best = i;
                length = end.Length;
            }
        }
        if (best >= 0) return (best, best + length);
        return (final ? text.Length : text.Length - TextScan.PartialMarkerSuffix(text, from, Ends), -1);
    }

    private static string? Recipient(string header)
    {
        var at = header.IndexOf("to=functions.", StringComparison.Ordinal);
        if (at < 0) return null;
        var start = at + "to=functions.".Length;
        var end = start;
        while (end < header.Length && !char.IsWhiteSpace(header[end]) && header[end] != '<') end++;
        return end > start ? header[start..end] : null;
    }

    private static string ChannelName(string header)
    {
        var at = header.IndexOf(Channel, StringComparison.Ordinal);
        if (at < 0) return "";
        var start = at + Channel.Length;
        var end = start;
        while (end < header.Length && !char.IsWhiteSpace(header[end]) && header[end] != '<') end++;
        return header[start..end];
    }
}
