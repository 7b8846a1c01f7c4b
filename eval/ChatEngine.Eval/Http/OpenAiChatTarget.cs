using System.Net.Http.Headers;
using System.Text;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Gguf;
using ChatEngine.Text;

namespace ChatEngine.Eval.Http;

/// <summary>
/// Sends suite requests to any OpenAI-compatible server's <c>/v1/chat/completions</c> (or <c>/v1/completions</c>) with streaming, parsing the
/// SSE itself. Token counts come from the final <c>usage</c> event; when the server sends none they come from
/// <paramref name="tokenizerModel"/>'s tokenizer (if given), else one token per content event.
/// </summary>
public sealed class OpenAiChatTarget : IRequestTarget
{
    private readonly HttpClient _http;
    private readonly Uri _chatUri;
    private readonly string _model;
    private readonly TimeSpan _timeout;
    private readonly GgufFile? _tokenizerFile;
    private readonly Tokenizer? _tokenizer;
    private readonly OpenAiApi _api;

    public OpenAiChatTarget(string endpoint, string model, TimeSpan timeout, string? apiKey = null, string? tokenizerModel = null, OpenAiApi api = OpenAiApi.Chat)
    {
        _api = api;
        _chatUri = EndpointUri(endpoint, api);
        _model = model;
        _timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (tokenizerModel is not null)
        {
            _tokenizerFile = GgufFile.Open(tokenizerModel);
            _tokenizer = Tokenizer.FromGguf(_tokenizerFile.Metadata);
        }
    }

    public string Kind => "http";
    public string Location => _chatUri.ToString();

    /// <summary>
    /// <c>http://host:port</c> and <c>.../v1</c> both become <c>.../v1/chat/completions</c> (or <c>.../v1/completions</c>);
    /// a full path of either endpoint is replaced by the one <paramref name="api"/> names.
    /// </summary>
    public static Uri EndpointUri(string endpoint, OpenAiApi api = OpenAiApi.Chat)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"--endpoint '{endpoint}' is not an http(s) URL", nameof(endpoint));
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal)) path = path[..^"/chat/completions".Length];
        else if (path.EndsWith("/completions", StringComparison.Ordinal)) path = path[..^"/completions".Length];
        else if (!path.EndsWith("/v1", StringComparison.Ordinal)) path += "/v1";
        return new UriBuilder(uri) { Path = path + (api == OpenAiApi.Completions ? "/completions" : "/chat/completions") }.Uri;
    }

    public async Task<RequestResult> SendAsync(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        var body = ChatRequestBody.Build(request, _model, _api).ToJsonString();
        var recorder = new RequestRecorder(request, levelStartTimestamp);
        var responded = false;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _chatUri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            responded = true;
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                var status = (int)response.StatusCode;
                return recorder.Fail(ErrorKind.HttpStatus, $"HTTP {status}: {ErrorText.FromBody(text)}", status);
            }
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType != "text/event-stream")
                return recorder.Fail(ErrorKind.MalformedStream, $"expected a text/event-stream response, got '{mediaType ?? "no content type"}'");
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (await ChatStreamReader.ReadAsync(stream, recorder, timeout.Token) is { } failure)
                return recorder.Fail(failure.Kind, failure.Message);
            return Succeed(recorder);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return recorder.Fail(ErrorKind.Timeout, $"no complete answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return recorder.Fail(responded ? ErrorKind.Truncated : ErrorKind.Connection, e.Message);
        }
    }

    private RequestResult Succeed(RequestRecorder recorder)
    {
        if (recorder.Usage is { } usage) return recorder.Succeed(usage.Prompt, usage.Completion, TokenSource.Usage);
        if (_tokenizer is null) return recorder.Succeed(null, recorder.ContentEvents, TokenSource.Chunks);
        // Without the server's template the prompt count covers the message texts only (a lower bound).
        var promptText = ChatRequestBody.PromptText(recorder.Request);
        return recorder.Succeed(_tokenizer.Encode(promptText, addSpecial: true).Length, _tokenizer.Encode(recorder.Text, addSpecial: false).Length, TokenSource.Tokenizer);
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenizerFile?.Dispose();
    }
}
