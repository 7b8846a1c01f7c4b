using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Tests;

/// <summary>
/// What <see cref="FakeOpenAiServer"/> does for one request, sent as the user message: wait <see cref="TtftMs"/>, then
/// stream <see cref="Tokens"/> content events <see cref="ItlMs"/> apart, then usage and [DONE]; or fail as
/// <see cref="Fail"/> says ("status", "malformed", "drop", "error_event", "truncate", "json").
/// </summary>
public sealed record FakeScript(int TtftMs, int ItlMs, int Tokens, int PromptTokens = 7, string? Fail = null, int Status = 500, bool Usage = true)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FakeScript Parse(string json) => JsonSerializer.Deserialize<FakeScript>(json, Json)!;

    public static BenchSuite Suite(params FakeScript[] scripts) => new("scripted", "scripted.jsonl", new string('0', 64),
        [.. scripts.Select((script, i) => new BenchRequest
        {
            Id = $"r{i}",
            Messages = [new JsonObject { ["role"] = "user", ["content"] = script.ToJson() }],
            MaxTokens = script.Tokens,
        })]);
}
