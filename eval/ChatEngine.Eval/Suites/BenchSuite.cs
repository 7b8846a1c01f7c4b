using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatEngine.Eval.Suites;

/// <summary>
/// A benchmark suite read from JSONL: one JSON object per line with <c>messages</c> and <c>max_tokens</c>, optionally
/// <c>id</c>, <c>temperature</c>, <c>fixed_output_tokens</c>, <c>extra</c> and <c>check</c>
/// (<c>{"type": "exact"|"regex"|"json_valid", "expected": "..."}</c>). Blank lines and lines starting with <c>//</c>
/// are skipped. A bad line is a <see cref="SuiteFormatException"/> naming the file, line and field.
/// </summary>
public sealed record BenchSuite(string Name, string Path, string Sha256, IReadOnlyList<BenchRequest> Requests)
{
    public static BenchSuite Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"suite file '{path}' does not exist", path);
        var bytes = File.ReadAllBytes(path);
        var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
        var requests = new List<BenchRequest>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
            requests.Add(ParseLine(line, path, i + 1, requests.Count));
        }
        if (requests.Count == 0) throw new SuiteFormatException(path, 0, "the suite has no requests");
        return new BenchSuite(System.IO.Path.GetFileNameWithoutExtension(path), path, Convert.ToHexStringLower(SHA256.HashData(bytes)), requests);
    }

    private static BenchRequest ParseLine(string line, string path, int lineNumber, int index)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(line) as JsonObject ?? throw new SuiteFormatException(path, lineNumber, "the line is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new SuiteFormatException(path, lineNumber, $"invalid JSON: {e.Message}");
        }
        SuiteFormatException Bad(string message) => new(path, lineNumber, message);
        try
        {
            var messages = json["messages"] as JsonArray ?? throw Bad("'messages' must be a non-empty array");
            if (messages.Count == 0) throw Bad("'messages' must be a non-empty array");
            var fixedTokens = json["fixed_output_tokens"]?.GetValue<int>();
            var maxTokens = json["max_tokens"]?.GetValue<int>() ?? fixedTokens ?? throw Bad("'max_tokens' is required");
            if (maxTokens < 1) throw Bad("'max_tokens' must be at least 1");
            if (fixedTokens is { } f && f != maxTokens) throw Bad("'fixed_output_tokens' and 'max_tokens' differ");
            return new BenchRequest
            {
                Id = json["id"]?.GetValue<string>() ?? $"line{lineNumber}",
                Messages = messages.DeepClone().AsArray(),
                MaxTokens = maxTokens,
                Temperature = json["temperature"]?.GetValue<double>(),
                FixedOutputTokens = fixedTokens,
                Extra = json["extra"] is null ? null : json["extra"] as JsonObject ?? throw Bad("'extra' must be an object"),
                Check = json["check"] is JsonObject check ? ParseCheck(check, Bad) : null,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw Bad($"a field has the wrong type: {e.Message}");
        }
    }

    private static QualityCheck ParseCheck(JsonObject check, Func<string, SuiteFormatException> bad)
    {
        var kind = check["type"]?.GetValue<string>() switch
        {
            "exact" => CheckKind.Exact,
            "regex" => CheckKind.Regex,
            "json_valid" => CheckKind.JsonValid,
            var other => throw bad($"check type '{other}' is unknown (exact, regex, json_valid)"),
        };
        var expected = check["expected"]?.GetValue<string>();
        if (kind != CheckKind.JsonValid && expected is null) throw bad("'check.expected' is required for exact and regex checks");
        if (kind == CheckKind.Regex)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(expected!);
            }
            catch (ArgumentException e)
            {
                throw bad($"'check.expected' is not a valid regex: {e.Message}");
            }
        }
        return new QualityCheck(kind, expected);
    }
}

/// <summary>A suite file line that cannot be used; the message names the file and line.</summary>
public sealed class SuiteFormatException(string path, int line, string message)
    : FormatException($"{path}, line {line}: {message}");
