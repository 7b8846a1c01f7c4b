using System.Diagnostics;
using System.Text;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Measurement;

/// <summary>
/// Timestamps one request as a target reports what arrives (content, usage, finish) and turns it into a
/// <see cref="RequestResult"/>. Created when the request is sent.
/// </summary>
public sealed class RequestRecorder(BenchRequest request, long levelStartTimestamp)
{
    private readonly long _sent = Stopwatch.GetTimestamp();
    private readonly List<double> _itl = [];
    private readonly StringBuilder _text = new();
    private long _lastContent;
    private double? _ttft;

    public BenchRequest Request => request;
    public string Text => _text.ToString();
    public int ContentEvents { get; private set; }
    public string? FinishReason { get; private set; }
    public (int Prompt, int Completion)? Usage { get; private set; }

    public void Content(string text)
    {
        if (text.Length == 0) return;
        var now = Stopwatch.GetTimestamp();
        if (_ttft is null) _ttft = Ms(_sent, now);
        else _itl.Add(Ms(_lastContent, now));
        _lastContent = now;
        ContentEvents++;
        _text.Append(text);
    }

    public void Finished(string? reason) => FinishReason = reason ?? FinishReason;

    public void SetUsage(int prompt, int completion) => Usage = (prompt, completion);

    public RequestResult Succeed(int? promptTokens, int completionTokens, TokenSource source)
    {
        var passed = request.Check?.Passes(Text);
        return Base() with
        {
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            TokenSource = source,
            CheckPassed = passed,
            FailedAnswer = passed == false ? Text : null,
        };
    }

    public RequestResult Fail(ErrorKind kind, string message, int? httpStatus = null) =>
        Base() with { Error = kind, ErrorMessage = message, HttpStatus = httpStatus, CompletionTokens = ContentEvents, TokenSource = TokenSource.Chunks };

    private RequestResult Base() => new()
    {
        RequestId = request.Id,
        StartMs = Ms(levelStartTimestamp, _sent),
        E2eMs = Ms(_sent, Stopwatch.GetTimestamp()),
        TtftMs = _ttft,
        ItlMs = _itl,
        FinishReason = FinishReason,
    };

    private static double Ms(long from, long to) => Math.Round(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds, 3);
}
