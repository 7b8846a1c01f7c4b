using System.Net;
using System.Text;
using System.Text.Json;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// <c>serve --lora</c> with llama-server's API: <c>GET/POST /lora-adapters</c> and a per-request <c>lora</c> field.
/// The bundled tiny-llama-Q8_0 serves with the bundled adapter twice (id 0 at scale 1, id 1 at scale 0); what it
/// returns is compared with the runtime generating in-process with the same adapters at the same scales.
/// </summary>
public sealed class LoraServerTests : IAsyncLifetime
{
    private const int MaxTokens = 12;
    private static readonly string ModelPath = TestPaths.Model("tiny-llama-Q8_0.gguf");
    private static readonly string AdapterPath = TestPaths.Model("tiny-llama-lora-F32.gguf");

    private TestServer _server = null!;
    private LanguageModel _model = null!;
    private LoraAdapter _adapter = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(o => o with
        {
            ModelPath = ModelPath,
            Parallel = 2,
            LoraAdapters = [new LoraAdapterSpec(AdapterPath, 1f), new LoraAdapterSpec(AdapterPath, 0f)],
        });
        _model = LanguageModel.Load(ModelPath, threads: 1);
        _adapter = LoraAdapter.Load(AdapterPath, _model);
    }

    [Fact]
    public async Task Get_lora_adapters_lists_ids_paths_and_start_up_scales()
    {
        var list = await _server.Http.GetFromJsonAsync("/lora-adapters");

        Assert.Equal(2, list.GetArrayLength());
        Assert.Equal([0, 1], list.EnumerateArray().Select(a => a.GetProperty("id").GetInt32()));
        Assert.All(list.EnumerateArray(), a => Assert.Equal(AdapterPath, a.GetProperty("path").GetString()));
        Assert.Equal([1.0, 0.0], list.EnumerateArray().Select(a => a.GetProperty("scale").GetDouble()));
    }

    [Fact]
    public async Task The_lora_field_picks_adapters_and_scales_per_request()
    {
        var withGlobal = await CompleteAsync(null);
        var halfScale = await CompleteAsync("""[{"id": 0, "scale": 0.5}]""");
        var none = await CompleteAsync("[]");
        var secondOnly = await CompleteAsync("""[{"id": 1, "scale": 1.0}]""");

        Assert.Equal(Reference(1f), withGlobal);
        Assert.Equal(Reference(0.5f), halfScale);
        Assert.Equal(Reference(0f), none);
        Assert.Equal(Reference(1f), secondOnly);
        Assert.NotEqual(none, withGlobal);
        Assert.NotEqual(halfScale, withGlobal);
    }

    [Fact]
    public async Task Requests_with_different_adapters_run_side_by_side()
    {
        var requests = Enumerable.Range(0, 4).Select(i => CompleteAsync(i % 2 == 0 ? "[]" : """[{"id": 0, "scale": 0.5}]""")).ToArray();
        var results = await Task.WhenAll(requests);

        for (var i = 0; i < results.Length; i++) Assert.Equal(Reference(i % 2 == 0 ? 0f : 0.5f), results[i]);
    }

    [Fact]
    public async Task Post_lora_adapters_sets_the_global_scales_unnamed_adapters_to_zero()
    {
        var answer = await _server.PostForJsonAsync("/lora-adapters", """[{"id": 1, "scale": 0.5}]""");
        Assert.True(answer.GetProperty("success").GetBoolean());

        var list = await _server.Http.GetFromJsonAsync("/lora-adapters");
        Assert.Equal([0.0, 0.5], list.EnumerateArray().Select(a => a.GetProperty("scale").GetDouble()));
        Assert.Equal(Reference(0.5f), await CompleteAsync(null));
        Assert.Equal(Reference(1f), await CompleteAsync("""[{"id": 0, "scale": 1}]"""));
    }

    [Theory]
    [InlineData("/v1/completions", """{"prompt": "Once", "lora": "adapter.gguf"}""", "lora")]
    [InlineData("/v1/completions", """{"prompt": "Once", "lora": [3]}""", "lora[0]")]
    [InlineData("/v1/completions", """{"prompt": "Once", "lora": [{"scale": 1}]}""", "lora[0].id")]
    [InlineData("/v1/completions", """{"prompt": "Once", "lora": [{"id": 2, "scale": 1}]}""", "lora[0].id")]
    [InlineData("/v1/completions", """{"prompt": "Once", "lora": [{"id": 0, "scale": "high"}]}""", "lora[0].scale")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "lora": [{"id": -1, "scale": 1}]}""", "lora[0].id")]
    [InlineData("/lora-adapters", """[{"id": 0, "scale": 1}, {"id": 7, "scale": 1}]""", "body[1].id")]
    [InlineData("/lora-adapters", """{"id": 0, "scale": 1}""", null)]
    public async Task Bad_adapter_choices_are_400_naming_the_field(string path, string body, string? param)
    {
        using var response = await _server.PostJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param is null) Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        else Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_mismatched_adapter_makes_the_model_fail_to_load_with_the_reason()
    {
        var options = new ServerOptions { ModelPath = ModelPath, Port = 0, Threads = 1, LoraAdapters = [new LoraAdapterSpec(TestPaths.Model("stories260K.gguf"), 1f)] };
        await using var server = ChatEngineServer.Create(options);
        await server.StartAsync();

        var error = await Assert.ThrowsAsync<LoraAdapterException>(() => server.WaitUntilReadyAsync());
        Assert.Contains("general.type", error.Message);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("LoRA adapter", await health.Content.ReadAsStringAsync());
    }

    /// <summary>llama-server's own output with <c>--lora</c> at scale 0.5 (the golden run whose 32 steps have no near-tie).</summary>
    [SharedFact]
    public async Task The_lora_field_reproduces_llama_server_with_the_adapter()
    {
        var golden = NextTokenGolden.Load("nexttok-tiny-llama-F32-lora-scale0.5.json").Runs[0];
        await using var server = await TestServer.StartAsync(o => o with
        {
            ModelPath = TestPaths.Model("tiny-llama-F32.gguf"),
            Parallel = 1,
            LoraAdapters = [new LoraAdapterSpec(AdapterPath, 1f)],
        });

        var response = await server.PostForJsonAsync("/v1/completions",
            $$"""{"prompt": {{JsonSerializer.Serialize(golden.Prompt)}}, "max_tokens": 32, "temperature": 0, "lora": [{"id": 0, "scale": 0.5}]}""");

        Assert.Equal(golden.GeneratedText, response.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(32, response.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    private async Task<string> CompleteAsync(string? lora)
    {
        var body = $$"""{"prompt": "Once upon a time", "max_tokens": {{MaxTokens}}, "temperature": 0{{(lora is null ? "" : $", \"lora\": {lora}")}}}""";
        var response = await _server.PostForJsonAsync("/v1/completions", body);
        return response.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>Greedy text of the runtime in-process with the adapter at <paramref name="scale"/> (0 = base model).</summary>
    private string Reference(float scale)
    {
        var prompt = _model.Tokenizer.Encode("Once upon a time", addSpecial: true);
        var generator = new TextGenerator(_model.CreateContext(prompt.Length + MaxTokens), _model.Tokenizer);
        var options = new GenerationOptions
        {
            MaxTokens = MaxTokens,
            Sampling = SamplingOptions.Greedy,
            Adapters = new LoraSelection([new ScaledLoraAdapter(_adapter, scale)]),
        };
        var text = new StringBuilder();
        foreach (var token in generator.Generate(prompt, options)) text.Append(token.Text);
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _adapter.Dispose();
        _model.Dispose();
    }
}
