using System.Collections.Concurrent;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Eval.Engine;

/// <summary>
/// Answers suite requests with the in-process runtime (no HTTP), to separate server overhead from model speed. The
/// prompt is rendered with the model's chat template as the server does. The runtime evaluates one sequence at a
/// time, so concurrent requests take turns token by token (each keeps its own KV cache), as server slots do.
/// </summary>
public sealed class EngineTarget(LanguageModel model, int contextSize) : IRequestTarget
{
    private readonly ChatPromptRenderer _renderer = ChatPromptRenderer.ForModel(model);
    private readonly ConcurrentBag<InferenceContext> _contexts = [];
    private readonly SemaphoreSlim _forwardPass = new(1, 1);

    public string Kind => "engine";
    public string Location => model.Path;

    public Task<RequestResult> SendAsync(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation) =>
        Task.Run(() => Generate(request, levelStartTimestamp, cancellation), CancellationToken.None);

    private RequestResult Generate(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation)
    {
        var recorder = new RequestRecorder(request, levelStartTimestamp);
        var context = _contexts.TryTake(out var free) ? free : model.CreateContext(contextSize);
        try
        {
            context.Reset();
            var prompt = _renderer.RenderTokens(request.Messages, addGenerationPrompt: true);
            var options = new GenerationOptions
            {
                MaxTokens = request.MaxTokens,
                Sampling = request.Temperature is { } t ? SamplingOptions.Default with { Temperature = (float)t } : SamplingOptions.Default,
                IgnoreEndOfGeneration = request.FixedOutputTokens is not null,
            };
            using var steps = new TextGenerator(context, model.Tokenizer).Generate(prompt, options, cancellation).GetEnumerator();
            var generated = 0;
            while (NextStep(steps, cancellation))
            {
                generated++;
                recorder.Content(steps.Current.Text);
                if (steps.Current.FinishReason is { } reason) recorder.Finished(reason == FinishReason.Stop ? "stop" : "length");
            }
            return recorder.Succeed(prompt.Length, generated, TokenSource.Engine);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return recorder.Fail(ErrorKind.Engine, e.Message);
        }
        finally
        {
            _contexts.Add(context);
        }
    }

    private bool NextStep(IEnumerator<GeneratedToken> steps, CancellationToken cancellation)
    {
        _forwardPass.Wait(cancellation);
        try
        {
            return steps.MoveNext();
        }
        finally
        {
            _forwardPass.Release();
        }
    }

    public void Dispose() => _forwardPass.Dispose();
}
