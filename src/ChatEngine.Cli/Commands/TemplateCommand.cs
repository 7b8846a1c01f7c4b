using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Gguf;
using ChatEngine.Runtime;
using ChatEngine.Templates;
using ChatEngine.Text;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>template [-m MODEL] --messages FILE.json [--template FILE.jinja] [--tools FILE.json] [--kwargs JSON]
/// [--bos-token T] [--eos-token T] [--add-generation-prompt]</c>: prints the rendered prompt. Without <c>-m</c> the
/// template comes from <c>--template</c> and bos/eos are empty unless given. Tool-call arguments sent as JSON strings
/// reach the template as the server passes them (<see cref="ToolCallArguments"/>).
/// </summary>
internal static class TemplateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        model.Required = false;
        var messages = new Option<FileInfo>("--messages") { Description = "JSON file: an array of {role, content} messages, or {\"messages\": [...]}", Required = true };
        var templateFile = new Option<FileInfo?>("--template") { Description = "Jinja template file to use instead of the model's (then -m is optional)" };
        var toolsFile = new Option<FileInfo?>("--tools") { Description = "JSON file: an OpenAI tools array ([{\"type\": \"function\", \"function\": {...}}]) for the template's 'tools'" };
        var kwargs = new Option<string?>("--kwargs") { Description = "JSON object of extra template variables, e.g. '{\"enable_thinking\": false}'" };
        var bosToken = new Option<string?>("--bos-token") { Description = "text of 'bos_token' (default: the model's BOS token, else empty)" };
        var eosToken = new Option<string?>("--eos-token") { Description = "text of 'eos_token' (default: the model's EOS token, else empty)" };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "end with the assistant turn's opening" };
        var command = new Command("template", "render a conversation with the model's chat template, or with a template file")
        {
            model, messages, templateFile, toolsFile, kwargs, bosToken, eosToken, generationPrompt,
        };
        command.SetAction(parse =>
        {
            var custom = parse.GetValue(templateFile);
            var modelFile = parse.GetValue(model);
            if (modelFile is null && custom is null) throw new CliUsageException("give a model (-m) or a template file (--template)");
            var renderer = modelFile is null ? null : ModelRenderer(modelFile.FullName, custom);
            var template = renderer?.Template ?? ChatTemplate.Parse(ReadText(custom!, "--template"));
            var options = new ChatRenderOptions
            {
                AddGenerationPrompt = parse.GetValue(generationPrompt),
                BosToken = parse.GetValue(bosToken) ?? renderer?.BosToken ?? "",
                EosToken = parse.GetValue(eosToken) ?? renderer?.EosToken ?? "",
                Tools = parse.GetValue(toolsFile) is { } tools ? ReadTools(tools) : null,
                ExtraVariables = parse.GetValue(kwargs) is { } json ? ParseKwargs(json) : new Dictionary<string, JsonNode?>(),
            };
            var conversation = new ToolCallArguments(template).ForTemplate(ReadMessages(parse.GetValue(messages)!));
            Console.Write(template.Render(conversation, options));
            return 0;
        });
        return command;
    }

    private static ChatPromptRenderer ModelRenderer(string path, FileInfo? customTemplate)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        using var file = GgufFile.Open(path);
        var template = customTemplate is not null
            ? ChatTemplate.Parse(ReadText(customTemplate, "--template"))
            : ChatTemplate.ForModel(file.Metadata.TryGetString("tokenizer.chat_template", out var t) ? t : null);
        return new ChatPromptRenderer(template, Tokenizer.FromGguf(file.Metadata));
    }

    private static string ReadText(FileInfo file, string option)
    {
        try
        {
            return File.ReadAllText(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{option}: cannot read '{file.FullName}': {e.Message}");
        }
    }

    private static JsonNode? ParseJson(string json, string option)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CliUsageException($"{option}: invalid JSON: {e.Message}");
        }
    }

    private static JsonArray ReadTools(FileInfo file) =>
        ParseJson(ReadText(file, "--tools"), "--tools") as JsonArray
            ?? throw new CliUsageException($"--tools: {file.Name} must hold a JSON array of tools");

    private static Dictionary<string, JsonNode?> ParseKwargs(string json) =>
        ParseJson(json, "--kwargs") is JsonObject variables
            ? variables.ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone())
            : throw new CliUsageException("--kwargs must be a JSON object of template variables, e.g. '{\"enable_thinking\": false}'");

    private static JsonArray ReadMessages(FileInfo file) =>
        ParseJson(ReadText(file, "--messages"), "--messages") switch
        {
            JsonArray array => array,
            JsonObject obj when obj["messages"] is JsonArray array => array,
            _ => throw new CliUsageException($"--messages: {file.Name} must hold a JSON array of messages or an object with a \"messages\" array"),
        };
}
