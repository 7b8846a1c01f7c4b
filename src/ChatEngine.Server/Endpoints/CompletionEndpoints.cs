using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Serving;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: validate, queue one job per choice, answer or
/// stream. Choices are independent sequences; a stream interleaves their chunks as tokens arrive.
/// </summary>
internal static class CompletionEndpoints
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private static readonly byte[] ErrorEvent = "event: error\n"u8.ToArray();

    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/v1/chat/completions", ApiDocument.Described(context => HandleAsync(context, state, CompletionFormat.Chat, GenerationRequestReader.ReadChat)))
            .WithName("createChatCompletion").AcceptsJson<ChatCompletionRequest>();
        app.MapPost("/v1/completions", ApiDocument.Described(context => HandleAsync(context, state, CompletionFormat.Text, GenerationRequestReader.ReadCompletion)))
            .WithName("createCompletion").AcceptsJson<CompletionRequest>();
    }

    private static async Task HandleAsync(HttpContext context, ServerState state, CompletionFormat format, Func<RequestBody, ModelHost, GenerationRequest> read)
    {
        var host = state.RequireModel();
        using var reply = state.TrackReply();
        GenerationRequest request;
        using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
        {
            request = read(body, host);
        }
        // Cancelled when the client leaves, when not every choice could be queued, and when this handler ends (the
        // finally below): Kestrel cancels RequestAborted on another thread, newest callback first, so this handler can
        // end and unregister the link before that thread reaches it, and the sequences would run on for nobody.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var jobs = new GenerationJob[request.Choices];
        for (var i = 0; i < jobs.Length; i++)
        {
            jobs[i] = new GenerationJob(request.Prompt, request.OptionsFor(i), cancellation.Token);
            if (host.Scheduler.TrySubmit(jobs[i])) continue;
            await cancellation.CancelAsync();
            if (state.Draining) throw ServerState.ShuttingDown();
            context.Response.Headers.RetryAfter = "1";
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                $"all {host.Scheduler.SlotCount} slots are busy and the queue is full; retry shortly", "rate_limit_error", null, "queue_full");
        }
        try
        {
            var header = ResponseHeader.Create(format.IdPrefix, request.Model);
            var logProbabilities = new LogProbabilityWriter(host.Model.Tokenizer);
            IReadOnlyList<LoggedToken> promptLogged = [];
            if (request.Echo is { } echo && request.Options.LogProbabilities is { } top)
            {
                // The prompt's own log-probabilities come from the detached evaluator while the choices queue.
                var scores = await host.RunDetachedAsync(evaluator =>
                {
                    evaluator.Adapters = request.Options.Adapters;
                    return evaluator.ScoreTokens(request.Prompt, top);
                }, context.RequestAborted);
                promptLogged = logProbabilities.Prompt(request.Prompt, scores, echo.Length);
            }
            var answer = new Reply(context, format, header, request, jobs, logProbabilities, promptLogged);
            if (request.Stream) await answer.StreamAsync(Merge(jobs, context.RequestAborted));
            else await answer.RespondAsync(Merge(jobs, context.RequestAborted));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; the scheduler drops the sequences at their next step.
        }
        finally
        {
            // Also a choice that failed ends the reply: its sibling choices must not run on either.
            await cancellation.CancelAsync();
        }
    }

    /// <summary>What the client is told when a sequence ended with an error instead of a finish reason.</summary>
    private static ApiException Failure(Exception error) => error is OperationCanceledException
        ? ServerState.ShuttingDown()
        : new ApiException(StatusCodes.Status500InternalServerError, $"generation failed: {ErrorText.Excerpt(error.Message)}", "server_error");

    /// <summary>Every job's tokens, tagged with the choice index, in the order they were produced.</summary>
    private static ChannelReader<(int Choice, GeneratedToken Token)> Merge(GenerationJob[] jobs, CancellationToken cancellation)
    {
        if (jobs.Length == 1) return new SingleJob(jobs[0].Tokens);
        var merged = Channel.CreateUnbounded<(int, GeneratedToken)>(new UnboundedChannelOptions { SingleReader = true });
        var pumps = jobs.Select((job, choice) => Task.Run(async () =>
        {
            await foreach (var token in job.Tokens.ReadAllAsync(cancellation)) merged.Writer.TryWrite((choice, token));
        }, CancellationToken.None));
        Task.WhenAll(pumps).ContinueWith(all => merged.Writer.TryComplete(all.Exception?.InnerException), TaskScheduler.Default);
        return merged.Reader;
    }

    /// <summary>One job's channel seen as choice 0, without a pump.</summary>
    private sealed class SingleJob(ChannelReader<GeneratedToken> tokens) : ChannelReader<(int, GeneratedToken)>
    {
        public override bool TryRead(out (int, GeneratedToken) item)
        {
            var read = tokens.TryRead(out var token);
            item = (0, token);
            return read;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => tokens.WaitToReadAsync(cancellationToken);

        public override Task Completion => tokens.Completion;
    }

    /// <summary>Writes one request's answer, whole or as server-sent events.</summary>
    private sealed class Reply(HttpContext context, CompletionFormat format, ResponseHeader header, GenerationRequest request, GenerationJob[] jobs,
        LogProbabilityWriter logProbabilities, IReadOnlyList<LoggedToken> promptLogged)
    {
        private readonly bool _logged = request.Options.LogProbabilities is not null;

        public async Task RespondAsync(ChannelReader<(int Choice, GeneratedToken Token)> tokens)
        {
            var choices = Enumerable.Range(0, request.Choices).Select(_ => new ChoiceProgress(request.Echo, promptLogged)).ToArray();
            try
            {
                await foreach (var (choice, token) in tokens.ReadAllAsync(context.RequestAborted))
                    choices[choice].Add(token, _logged);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                throw Failure(e);
            }
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body, JsonOutput.Options);
            var results = choices.Select((c, i) => new ChoiceResult(i, c.Text.ToString(), c.Finish, _logged ? c.Logged : null,
                request.OutputParser?.Parse(c.Text.ToString()))).ToList();
            format.WriteResponse(json, header, results, Usage(choices), logProbabilities);
            await json.FlushAsync(context.RequestAborted);
        }

        public async Task StreamAsync(ChannelReader<(int Choice, GeneratedToken Token)> tokens)
        {
            var cancellation = context.RequestAborted;
            // Nothing is sent before the first token, so a sequence that fails at once still gets an error status.
            try
            {
                await tokens.WaitToReadAsync(cancellation);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                throw Failure(e);
            }
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            var buffer = new ArrayBufferWriter<byte>(512);
            using var json = new Utf8JsonWriter(buffer, JsonOutput.Options);

            async Task SendAsync(Action<Utf8JsonWriter> write)
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                write(json);
                json.Flush();
                await response.Body.WriteAsync(DataPrefix, cancellation);
                await response.Body.WriteAsync(buffer.WrittenMemory, cancellation);
                await response.Body.WriteAsync(EventEnd, cancellation);
                await response.Body.FlushAsync(cancellation);
            }

            var includeUsage = request.IncludeUsage;
            var choices = Enumerable.Range(0, request.Choices)
                .Select(_ => new ChoiceProgress(request.Echo, promptLogged) { Parsing = request.OutputParser?.StartStream() }).ToArray();

            // A parsed choice streams what its parser releases; the token's log-probabilities ride on its first delta
            // (or an empty one). Its end releases the held-back text, then the finish reason of the whole message.
            async Task SendParsedAsync(int choice, StreamingChatOutputParser parsing, GeneratedToken token, List<LoggedToken>? logged)
            {
                var deltas = parsing.Feed(token.Text);
                for (var i = 0; i < deltas.Count; i++)
                {
                    var delta = deltas[i];
                    var covered = i == 0 ? logged : null;
                    await SendAsync(j => CompletionFormat.WriteParsedChunk(j, header, choice, delta, covered, null, includeUsage, logProbabilities));
                }
                if (deltas.Count == 0 && logged is { Count: > 0 })
                    await SendAsync(j => CompletionFormat.WriteParsedChunk(j, header, choice, null, logged, null, includeUsage, logProbabilities));
                if (token.FinishReason is not { } finish) return;
                var end = parsing.Finish();
                foreach (var delta in end.Deltas)
                    await SendAsync(j => CompletionFormat.WriteParsedChunk(j, header, choice, delta, null, null, includeUsage, logProbabilities));
                var reason = CompletionFormat.WireName(finish, end.Message.ToolCalls.Count > 0);
                await SendAsync(j => CompletionFormat.WriteParsedChunk(j, header, choice, null, null, reason, includeUsage, logProbabilities));
            }
            for (var i = 0; i < choices.Length; i++)
            {
                var index = i;
                if (format.HasOpeningChunk) await SendAsync(j => format.WriteOpeningChunk(j, header, index, includeUsage));
                if (request.Echo is { Length: > 0 } echo)
                    await SendAsync(j => format.WriteChunk(j, header, index, echo, _logged ? promptLogged : null, null, includeUsage, logProbabilities));
            }
            try
            {
                await foreach (var (choice, token) in tokens.ReadAllAsync(cancellation))
                {
                    var progress = choices[choice];
                    var firstLogged = progress.Logged.Count;
                    progress.Add(token, _logged);
                    var logged = _logged ? progress.Logged.GetRange(firstLogged, progress.Logged.Count - firstLogged) : null;
                    if (progress.Parsing is { } parsing)
                    {
                        await SendParsedAsync(choice, parsing, token, logged);
                        continue;
                    }
                    if (token.Text.Length > 0 || logged is { Count: > 0 })
                        await SendAsync(j => format.WriteChunk(j, header, choice, token.Text, logged, null, includeUsage, logProbabilities));
                    if (token.FinishReason is { } finish)
                        await SendAsync(j => format.WriteChunk(j, header, choice, "", null, finish, includeUsage, logProbabilities));
                }
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                // The status is sent: the failure goes out as an SSE error event carrying OpenAI's error object.
                var failure = Failure(e);
                await response.Body.WriteAsync(ErrorEvent, cancellation);
                await SendAsync(j => ErrorResponse.Write(j, failure));
                await response.Body.WriteAsync(Done, cancellation);
                await response.Body.FlushAsync(cancellation);
                return;
            }
            if (includeUsage) await SendAsync(j => format.WriteUsageChunk(j, header, Usage(choices)));
            await response.Body.WriteAsync(Done, cancellation);
            await response.Body.FlushAsync(cancellation);
        }

        /// <summary>The prompt counts once however many choices there are; every choice's tokens count.</summary>
        /// <summary>The prompt counts once; its cached part is what every choice reused.</summary>
        private Usage Usage(ChoiceProgress[] choices) => new(request.Prompt.Length, choices.Sum(c => c.Generated), jobs.Min(j => j.CachedPromptTokens),
            jobs.Sum(j => j.ContextShifts), jobs.Sum(j => j.DiscardedTokens));
    }

    /// <summary>What one choice has produced so far (starting with the echoed prompt, when asked).</summary>
    private sealed class ChoiceProgress(string? echo, IReadOnlyList<LoggedToken> promptLogged)
    {
        public StringBuilder Text { get; } = new(echo);
        public List<LoggedToken> Logged { get; } = [.. promptLogged];
        public int Generated { get; private set; }
        public FinishReason Finish { get; private set; } = FinishReason.Length;

        /// <summary>The streaming parser of this choice's output, when the request's tools are parsed.</summary>
        public StreamingChatOutputParser? Parsing { get; init; }

        public void Add(GeneratedToken token, bool logged)
        {
            // The shutdown's last token ends the choice without being a generated token.
            if (token.FinishReason != FinishReason.Shutdown) Generated++;
            if (logged && token.LogProbabilities is { } logProbabilities) Logged.Add(new LoggedToken(token.Id, logProbabilities, Text.Length));
            Text.Append(token.Text);
            if (token.FinishReason is { } reason) Finish = reason;
        }
    }
}
