using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Running;

/// <summary>Something that answers suite requests: an OpenAI-compatible HTTP endpoint or the in-process engine.</summary>
public interface IRequestTarget : IDisposable
{
    /// <summary>"http" or "engine", as written in the result file.</summary>
    string Kind { get; }

    /// <summary>The endpoint URL, or the model file for the engine.</summary>
    string Location { get; }

    /// <summary>
    /// Sends one request and measures it. Failures are returned as results with an error; only cancellation of
    /// <paramref name="cancellation"/> (the whole run stopping) throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<RequestResult> SendAsync(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation);
}
