using ChatEngine.Eval.Suites;
using ChatEngine.Gguf;
using ChatEngine.TestData;
using ChatEngine.Text;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>The committed suites load and keep their promises; bad suite lines are errors that name the line.</summary>
public sealed class SuiteTests
{
    private static BenchSuite Bench(string name) => BenchSuite.Load(Path.Combine(TestPaths.RepoRoot, "prompts", "bench", name + ".jsonl"));

    [Theory]
    [InlineData("short-chat")]
    [InlineData("long-prompt")]
    [InlineData("shared-system-prompt")]
    [InlineData("fixed-length")]
    public void Committed_suites_load(string name)
    {
        var suite = Bench(name);
        Assert.True(suite.Requests.Count >= 8, $"{name} has {suite.Requests.Count} requests");
        Assert.Equal(suite.Requests.Count, suite.Requests.Select(r => r.Id).Distinct().Count());
    }

    [SharedTheory]
    [InlineData("ggml-vocab-gpt-2.gguf")]
    [InlineData("ggml-vocab-llama-spm.gguf")]
    public void Long_prompts_have_at_least_1500_tokens(string vocab)
    {
        using var file = GgufFile.Open(TestPaths.Shared("vocab", vocab));
        var tokenizer = Tokenizer.FromGguf(file.Metadata);
        foreach (var request in Bench("long-prompt").Requests)
        {
            var tokens = tokenizer.Encode(request.Messages[0]!["content"]!.GetValue<string>(), addSpecial: false).Length;
            Assert.True(tokens >= 1500, $"{request.Id}: {tokens} tokens with {vocab}");
        }
    }

    [Fact]
    public void Shared_system_prompt_suite_shares_one_system_message()
    {
        var systems = Bench("shared-system-prompt").Requests.Select(r => r.Messages[0]!.ToJsonString()).Distinct().ToArray();
        Assert.Single(systems);
        Assert.Contains("\"role\":\"system\"", systems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_length_requests_ask_for_ignore_eos_and_min_tokens()
    {
        foreach (var request in Bench("fixed-length").Requests)
        {
            Assert.Equal(128, request.FixedOutputTokens);
            var body = Http.ChatRequestBody.Build(request, "m");
            Assert.Equal(128, body["max_tokens"]!.GetValue<int>());
            Assert.Equal(128, body["min_tokens"]!.GetValue<int>());
            Assert.True(body["ignore_eos"]!.GetValue<bool>());
        }
    }

    [Theory]
    [InlineData("{\"messages\": []}", "line 2: 'messages' must be a non-empty array")]
    [InlineData("{\"messages\": [{\"role\":\"user\",\"content\":\"hi\"}]}", "line 2: 'max_tokens' is required")]
    [InlineData("{\"messages\": [{\"role\":\"user\",\"content\":\"hi\"}], \"max_tokens\": \"ten\"}", "line 2: a field has the wrong type")]
    [InlineData("{\"messages\": [{\"role\":\"user\",\"content\":\"hi\"}], \"max_tokens\": 4, \"check\": {\"type\": \"fuzzy\"}}", "line 2: check type 'fuzzy' is unknown")]
    [InlineData("{\"messages\": [{\"role\":\"user\",\"content\":\"hi\"}], \"max_tokens\": 4, \"check\": {\"type\": \"regex\", \"expected\": \"(\"}}", "line 2: 'check.expected' is not a valid regex")]
    [InlineData("not json", "line 2: invalid JSON")]
    public void A_bad_line_is_an_error_naming_the_line(string line, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "// a comment\n" + line + "\n");
            var error = Assert.Throws<SuiteFormatException>(() => BenchSuite.Load(path));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(CheckKind.Exact, "OK", " OK\n", true)]
    [InlineData(CheckKind.Exact, "OK", "OK.", false)]
    [InlineData(CheckKind.Regex, "(?i)paris", "It is Paris.", true)]
    [InlineData(CheckKind.Regex, "\\b56\\b", "156", false)]
    [InlineData(CheckKind.JsonValid, null, "{\"name\": \"Ada\", \"age\": 36}", true)]
    [InlineData(CheckKind.JsonValid, null, "```json\n[\"red\", \"blue\"]\n```", true)]
    [InlineData(CheckKind.JsonValid, null, "{\"name\": \"Ada\",", false)]
    public void Quality_checks(CheckKind kind, string? expected, string answer, bool passes) =>
        Assert.Equal(passes, new QualityCheck(kind, expected).Passes(answer));
}
