using System.Buffers;
using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Generation;
using ChatEngine.Server.Protocol;
using ChatEngine.Server.Scheduling;

namespace ChatEngine.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: validate, queue, answer or stream.</summary>
internal static class CompletionEndpoints
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/v1/chat/completions", context => HandleAsync(context, state, CompletionFormat.Chat, GenerationRequestReader.ReadChat));
        app.MapPost("/v1/completions", context => HandleAsync(context, state, CompletionFormat.Text, GenerationRequestReader.ReadCompletion));
    }

    private static async Task HandleAsync(HttpContext context, ServerState state, CompletionFormat format, Func<RequestBody, ModelHost, GenerationRequest> read)
    {
        var host = state.RequireModel();
        GenerationRequest request;
        using (var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes))
        {
            request = read(body, host);
        }
        var job = new GenerationJob(request.Prompt, request.Options, context.RequestAborted);
        if (!host.Scheduler.TrySubmit(job))
        {
            context.Response.Headers.RetryAfter = "1";
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                $"all {host.Scheduler.SlotCount} slots are busy and the queue is full; retry shortly", "rate_limit_error", null, "queue_full");
        }
        var header = ResponseHeader.Create(format.IdPrefix, request.Model);
        try
        {
            if (request.Stream) await StreamAsync(context, format, header, request, job);
            else await RespondAsync(context, format, header, request, job);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; the scheduler drops the sequence at its next step.
        }
    }

    private static async Task RespondAsync(HttpContext context, CompletionFormat format, ResponseHeader header, GenerationRequest request, GenerationJob job)
    {
        var text = new StringBuilder();
        var generated = 0;
        FinishReason finish = FinishReason.Length;
        await foreach (var token in job.Tokens.ReadAllAsync(context.RequestAborted))
        {
            generated++;
            text.Append(token.Text);
            if (token.FinishReason is { } reason) finish = reason;
        }
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, JsonOutput.Options);
        format.WriteResponse(json, header, text.ToString(), finish, new Usage(request.Prompt.Length, generated, job.CachedPromptTokens));
        await json.FlushAsync(context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, CompletionFormat format, ResponseHeader header, GenerationRequest request, GenerationJob job)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var buffer = new ArrayBufferWriter<byte>(512);
        using var json = new Utf8JsonWriter(buffer, JsonOutput.Options);
        var cancellation = context.RequestAborted;

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
        if (format.HasOpeningChunk) await SendAsync(j => format.WriteOpeningChunk(j, header, includeUsage));
        var generated = 0;
        try
        {
            await foreach (var token in job.Tokens.ReadAllAsync(cancellation))
            {
                generated++;
                if (token.Text.Length > 0) await SendAsync(j => format.WriteChunk(j, header, token.Text, null, includeUsage));
                if (token.FinishReason is { } finish) await SendAsync(j => format.WriteChunk(j, header, "", finish, includeUsage));
            }
        }
        catch (Exception) when (!cancellation.IsCancellationRequested)
        {
            // The sequence failed after the stream started: the status is sent, so end the stream without [DONE].
            context.Abort();
            return;
        }
        if (includeUsage) await SendAsync(j => format.WriteUsageChunk(j, header, new Usage(request.Prompt.Length, generated, job.CachedPromptTokens)));
        await response.Body.WriteAsync(Done, cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
