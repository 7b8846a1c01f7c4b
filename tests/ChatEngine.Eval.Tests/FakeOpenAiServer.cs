using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatEngine.Eval.Tests;

/// <summary>An OpenAI-style streaming endpoint on 127.0.0.1 (Kestrel, OS-chosen port) that follows each request's <see cref="FakeScript"/>.</summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeOpenAiServer(WebApplication app) => _app = app;

    public string Endpoint => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", HandleAsync);
        await app.StartAsync();
        return new FakeOpenAiServer(app);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var body = await JsonDocument.ParseAsync(context.Request.Body);
        var messages = body.RootElement.GetProperty("messages");
        var script = FakeScript.Parse(messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!);
        var response = context.Response;
        if (script.Fail == "status")
        {
            response.StatusCode = script.Status;
            await response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "server_error" } });
            return;
        }
        if (script.Fail == "json")
        {
            await response.WriteAsJsonAsync(new { choices = Array.Empty<object>() });
            return;
        }
        response.ContentType = "text/event-stream";
        await response.Body.FlushAsync();
        await DelayAtLeast(script.TtftMs);
        for (var i = 0; i < script.Tokens; i++)
        {
            if (i > 0) await DelayAtLeast(script.ItlMs);
            if (i == 2 && script.Fail == "malformed")
            {
                await Send(response, "data: {\"choices\": [ oops\n\n");
                return;
            }
            if (i == 2 && script.Fail == "drop")
            {
                context.Abort();
                return;
            }
            if (i == 2 && script.Fail == "error_event")
            {
                await Send(response, "data: {\"error\":{\"message\":\"scripted stream error\",\"type\":\"server_error\"}}\n\n");
                return;
            }
            var finish = i == script.Tokens - 1 && script.Fail != "truncate" ? "\"length\"" : "null";
            await Send(response, $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"w{i} \"}},\"finish_reason\":{finish}}}]}}\n\n");
        }
        if (script.Fail == "truncate") return;
        if (script.Usage)
        {
            await Send(response, $"data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":{script.PromptTokens},\"completion_tokens\":{script.Tokens}," +
                                 $"\"total_tokens\":{script.PromptTokens + script.Tokens}}}}}\n\n");
        }
        await Send(response, "data: [DONE]\n\n");
    }

    /// <summary>Task.Delay may wake a millisecond or two early (coarse timer ticks); the script promises a lower bound.</summary>
    private static async Task DelayAtLeast(int milliseconds)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Delay(milliseconds);
        while (System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds < milliseconds) await Task.Delay(1);
    }

    private static async Task Send(HttpResponse response, string text)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text));
        await response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
