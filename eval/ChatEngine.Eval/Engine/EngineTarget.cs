using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Runtime.Serving;

namespace ChatEngine.Eval.Engine;

/// <summary>
/// Answers suite requests with the in-process serving engine (no HTTP), to separate server overhead from model speed:
/// the same <see cref="InferenceScheduler"/> as <c>serve</c>, so concurrent requests are batched into shared forward
/// passes and reuse cached prompt prefixes as they would behind the server. The prompt is rendered with the model's
/// chat template as the server does.
/// </summary>
public sealed class EngineTarget : IRequestTarget
{
    private const int QueueLimit = 4096;

    private readonly LanguageModel _model;
    private readonly ChatPromptRenderer _renderer;
    private readonly InferenceScheduler _scheduler;

    /// <param name="slots">Sequences generated at once (the highest concurrency level the plan drives).</param>
    /// <param name="contextSize">Tokens per sequence.</param>
    public EngineTarget(LanguageModel model, int slots, int contextSize)
    {
        _model = model;
        _renderer = ChatPromptRenderer.ForModel(model);
        _scheduler = new InferenceScheduler(model, slots, contextSize, QueueLimit);
    }

    /// <summary>The engine the requests run on (tests watch its batching and prefix cache).</summary>
    internal InferenceScheduler Scheduler => _scheduler;

    public string Kind => "engine";
    public string Location => _model.Path;

    public async Task<RequestResult> SendAsync(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation)
    {
        var recorder = new RequestRecorder(request, levelStartTimestamp);
        try
        {
            var prompt = _renderer.RenderTokens(request.Messages, addGenerationPrompt: true);
            var options = new GenerationOptions
            {
                MaxTokens = request.MaxTokens,
                Sampling = request.Temperature is { } t ? SamplingOptions.Default with { Temperature = (float)t } : SamplingOptions.Default,
                IgnoreEndOfGeneration = request.FixedOutputTokens is not null,
            };
            var job = new GenerationJob(prompt, options, cancellation);
            if (!_scheduler.TrySubmit(job)) return recorder.Fail(ErrorKind.Engine, $"more than {QueueLimit} requests wait for a sequence");
            var generated = 0;
            await foreach (var token in job.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                generated++;
                recorder.Content(token.Text);
                if (token.FinishReason is { } reason) recorder.Finished(reason == FinishReason.Stop ? "stop" : "length");
            }
            return recorder.Succeed(prompt.Length, generated, TokenSource.Engine);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return recorder.Fail(ErrorKind.Engine, e.Message);
        }
    }

    public void Dispose() => _scheduler.Dispose();
}
