using System.Text.Json;
using ChatEngine.Runtime.Tests.Constraints;
using OpenAI.Chat;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>response_format through the official SDK: sampled at temperature 1, every output parses and validates.
/// Each test runs its own server with room for long outputs.</summary>
public sealed class StructuredOutputTests
{
    private const string PersonSchema = """
        {"type":"object","additionalProperties":false,"required":["name","age","pets"],"properties":{
          "name":{"type":"string","minLength":1,"maxLength":20},
          "age":{"type":"integer"},
          "nickname":{"type":["string","null"],"maxLength":10},
          "pets":{"type":"array","maxItems":3,"items":{"type":"object","required":["kind","legs"],
            "properties":{"kind":{"enum":["cat","dog","bird"]},"legs":{"type":"number"},"happy":{"type":"boolean"}}}}}}
        """;

    [Fact]
    public async Task Json_schema_outputs_parse_and_validate_in_50_of_50_sampled_generations()
    {
        var schema = JsonDocument.Parse(PersonSchema).RootElement;
        await using var server = await TestServer.StartAsync(o => o with { ContextSize = 1024 });
        var chat = server.OpenAi.GetChatClient("stories260K");
        for (var seed = 0; seed < 50; seed++)
        {
            var options = Sampled(seed, ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(PersonSchema), jsonSchemaIsStrict: true));
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Describe a person as JSON.")], options);
            AssertValid(completion, schema);
        }
    }

    [SharedFact]
    public async Task Random_schemas_are_honoured_on_a_bpe_model()
    {
        await using var server = await TestServer.StartAsync(o => o with { ModelPath = TestPaths.Model("tiny-qwen2-F32.gguf"), ContextSize = 1024, Parallel = 2 });
        var chat = server.OpenAi.GetChatClient("tiny-qwen2-F32");
        var random = new Random(77);
        for (var i = 0; i < 8; i++)
        {
            var schema = RandomSchemas.Object(random);
            var options = Sampled(i, ChatResponseFormat.CreateJsonSchemaFormat("random", BinaryData.FromString(schema.GetRawText())));
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("JSON please")], options);
            AssertValid(completion, schema);
        }
    }

    [Fact]
    public async Task Json_object_outputs_are_complete_objects_within_the_token_limit_streamed_or_not()
    {
        await using var server = await TestServer.StartAsync(o => o with { ContextSize = 1024 });
        var chat = server.OpenAi.GetChatClient("stories260K");
        var options = Sampled(7, ChatResponseFormat.CreateJsonObjectFormat());
        options.MaxOutputTokenCount = 60;
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Give me JSON.")], options);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        using var document = JsonDocument.Parse(completion.Content[0].Text);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Give me JSON.")], options))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
    }

    private static ChatCompletionOptions Sampled(int seed, ChatResponseFormat format) => new()
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the server implements it.
        Temperature = 1f, TopP = 1f, MaxOutputTokenCount = 400, Seed = seed, ResponseFormat = format,
#pragma warning restore OPENAI001
    };

    private static void AssertValid(ChatCompletion completion, JsonElement schema)
    {
        var text = completion.Content[0].Text;
        Assert.True(completion.FinishReason == ChatFinishReason.Stop, $"ran out of tokens: {text}");
        using var document = JsonDocument.Parse(text);
        var error = SchemaValidator.Validate(document.RootElement, schema);
        Assert.True(error is null, $"{error}\nschema: {schema}\noutput: {text}");
    }
}
