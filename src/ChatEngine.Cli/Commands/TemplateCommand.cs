using System.CommandLine;
using System.Text.Json.Nodes;
using ChatEngine.Gguf;
using ChatEngine.Runtime;
using ChatEngine.Templates;
using ChatEngine.Text;

namespace ChatEngine.Cli.Commands;

/// <summary><c>template -m MODEL --messages FILE.json [--template FILE.jinja] [--add-generation-prompt]</c>: prints the rendered prompt.</summary>
internal static class TemplateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var messages = new Option<FileInfo>("--messages") { Description = "JSON file: an array of {role, content} messages, or {\"messages\": [...]}", Required = true };
        var templateFile = new Option<FileInfo?>("--template") { Description = "Jinja template file to use instead of the model's" };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "end with the assistant turn's opening" };
        var command = new Command("template", "render a conversation with the model's chat template") { model, messages, templateFile, generationPrompt };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!.FullName;
            if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
            using var file = GgufFile.Open(path);
            var custom = parse.GetValue(templateFile);
            var template = custom is not null
                ? ChatTemplate.Parse(File.ReadAllText(custom.FullName))
                : ChatTemplate.ForModel(file.Metadata.TryGetString("tokenizer.chat_template", out var t) ? t : null);
            var renderer = new ChatPromptRenderer(template, Tokenizer.FromGguf(file.Metadata));
            Console.Write(renderer.Render(ReadMessages(parse.GetValue(messages)!), parse.GetValue(generationPrompt)));
            return 0;
        });
        return command;
    }

    private static JsonArray ReadMessages(FileInfo file)
    {
        if (!file.Exists) throw new FileNotFoundException($"messages file '{file.FullName}' does not exist");
        return JsonNode.Parse(File.ReadAllText(file.FullName)) switch
        {
            JsonArray array => array,
            JsonObject obj when obj["messages"] is JsonArray array => array,
            _ => throw new CliUsageException($"{file.Name} must hold a JSON array of messages or an object with a \"messages\" array"),
        };
    }
}
