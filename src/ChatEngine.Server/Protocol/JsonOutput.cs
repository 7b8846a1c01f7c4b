using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatEngine.Server.Protocol;

/// <summary>Writer settings for every response: text as OpenAI writes it (quotes and non-ASCII unescaped; the
/// bodies are application/json, never embedded in HTML).</summary>
internal static class JsonOutput
{
    public static JsonWriterOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
