using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>llama-server's slot endpoints: a slot's cached prompt saved to disk survives a restart, and the same
/// request after restoring it reuses that prompt and answers exactly as before.</summary>
public sealed class SlotTests : IDisposable
{
    private const string Story = """{"prompt":"Once upon a time there was a little girl who lived in a village near the forest.","max_tokens":8,"temperature":0}""";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chatengine-slots-");

    private Task<TestServer> Serve() => TestServer.StartAsync(o => o with { Parallel = 1, ContextSize = 512, SlotSavePath = _folder.FullName });

    [Fact]
    public async Task A_saved_slot_restored_after_a_restart_serves_the_prompt_from_cache_with_the_same_answer()
    {
        JsonElement first;
        int saved;
        await using (var server = await Serve())
        {
            first = await server.PostForJsonAsync("/v1/completions", Story);
            var slots = await server.Http.GetFromJsonAsync("/slots");
            Assert.Equal(1, slots.GetArrayLength());
            Assert.False(slots[0].GetProperty("is_processing").GetBoolean());
            saved = slots[0].GetProperty("cached_tokens").GetInt32();
            var save = await server.PostForJsonAsync("/slots/0?action=save", """{"filename":"story.bin"}""");
            Assert.Equal(saved, save.GetProperty("n_saved").GetInt32());
            Assert.Equal(new FileInfo(Path.Combine(_folder.FullName, "story.bin")).Length, save.GetProperty("n_written").GetInt64());
        }

        await using (var cold = await Serve())
        {
            var answer = await cold.PostForJsonAsync("/v1/completions", Story);
            Assert.Equal(0, answer.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        }

        await using var restarted = await Serve();
        var restore = await restarted.PostForJsonAsync("/slots/0?action=restore", """{"filename":"story.bin"}""");
        Assert.Equal(saved, restore.GetProperty("n_restored").GetInt32());
        var again = await restarted.PostForJsonAsync("/v1/completions", Story);
        var promptTokens = again.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(promptTokens - 1, again.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(first.GetProperty("choices")[0].GetProperty("text").GetString(), again.GetProperty("choices")[0].GetProperty("text").GetString());

        var erase = await restarted.PostForJsonAsync("/slots/0?action=erase", "{}");
        Assert.True(erase.GetProperty("n_erased").GetInt32() > 0);
        Assert.Equal(0, (await restarted.Http.GetFromJsonAsync("/slots"))[0].GetProperty("cached_tokens").GetInt32());
    }

    [Theory]
    [InlineData("/slots/0?action=save", """{"filename":"../escape.bin"}""", 400, "filename")]
    [InlineData("/slots/0?action=save", """{"filename":"a/b.bin"}""", 400, "filename")]
    [InlineData("/slots/0?action=save", "{}", 400, "filename")]
    [InlineData("/slots/0?action=restore", """{"filename":"missing.bin"}""", 404, "filename")]
    [InlineData("/slots/0?action=restore", """{"filename":"garbage.bin"}""", 400, "filename")]
    [InlineData("/slots/0?action=restore", """{"filename":"short.bin"}""", 400, "filename")]
    [InlineData("/slots/0?action=fly", "{}", 400, "action")]
    [InlineData("/slots/7?action=erase", "{}", 400, "id_slot")]
    [InlineData("/slots/-1?action=erase", "{}", 400, "id_slot")]
    public async Task Bad_slot_requests_are_errors_naming_the_field(string path, string body, int status, string param)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "garbage.bin"), "not a slot");
        await using var server = await Serve();
        await server.PostForJsonAsync("/v1/completions", Story);
        var saved = await server.PostForJsonAsync("/slots/0?action=save", """{"filename":"whole.bin"}""");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_folder.FullName, "whole.bin"));
        await File.WriteAllBytesAsync(Path.Combine(_folder.FullName, "short.bin"), bytes[..(bytes.Length / 2)]);
        Assert.True(saved.GetProperty("n_saved").GetInt32() > 0);

        using var response = await server.PostJsonAsync(path, body);
        var error = await OpenAiError.ReadAsync(response, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(File.Exists(Path.Combine(_folder.Parent!.FullName, "escape.bin")));
        // A refused restore leaves the slot empty rather than half-written.
        if (path.Contains("restore", StringComparison.Ordinal) && status == 400)
            Assert.Equal(0, (await server.Http.GetFromJsonAsync("/slots"))[0].GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task A_generating_slot_is_not_saved_and_saving_needs_a_folder()
    {
        await using (var plain = await TestServer.StartAsync(o => o with { Parallel = 1 }))
        {
            using var off = await plain.PostJsonAsync("/slots/0?action=save", """{"filename":"x.bin"}""");
            Assert.Equal("unsupported_parameter", (await OpenAiError.ReadAsync(off, 400)).GetProperty("code").GetString());
        }
        // With context shift the sequence cannot reach its limit before the client leaves: it is surely generating.
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 1, ContextSize = 512, SlotSavePath = _folder.FullName, ContextShift = true });
        var eos = Reference.Model.Tokenizer.EosTokenId;
        using var abort = new CancellationTokenSource();
        using var stream = await server.PostStreamingAsync("/v1/completions",
            $$$"""{"prompt":"Once upon a time","max_tokens":1000000,"temperature":0,"stream":true,"logit_bias":{"{{{eos}}}":-100}}""", abort.Token);
        await SseEvents.StreamAsync(await stream.Content.ReadAsStreamAsync(abort.Token), abort.Token).FirstAsync(abort.Token);

        using var busy = await server.PostJsonAsync("/slots/0?action=save", """{"filename":"busy.bin"}""");
        Assert.Equal("slot_busy", (await OpenAiError.ReadAsync(busy, 409)).GetProperty("code").GetString());
        Assert.True((await server.Http.GetFromJsonAsync("/slots"))[0].GetProperty("is_processing").GetBoolean());
        await abort.CancelAsync();
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
