using System.CommandLine;
using System.Text.Json;
using ChatEngine.Gguf;
using ChatEngine.Text;

namespace ChatEngine.Cli.Commands;

/// <summary><c>tokenize -m MODEL --text "..."</c>: ids as llama-tokenize gives them (BOS/EOS as the metadata asks).</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var text = new Option<string>("--text") { Description = "text to tokenize", Required = true };
        var noBos = new Option<bool>("--no-bos") { Description = "do not add BOS/EOS even if the model asks for them" };
        var parseSpecial = new Option<bool>("--parse-special") { Description = "recognise special tokens such as <s> in the text" };
        var json = CommonOptions.Json();
        var command = new Command("tokenize", "convert text to token ids") { model, text, noBos, parseSpecial, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!.FullName;
            if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
            using var file = GgufFile.Open(path);
            var tokenizer = Tokenizer.FromGguf(file.Metadata);
            var ids = tokenizer.Encode(parse.GetValue(text)!, addSpecial: !parse.GetValue(noBos), parseSpecial: parse.GetValue(parseSpecial));
            if (parse.GetValue(json))
            {
                var pieces = ids.Select(id => tokenizer.TokenText(id)).ToArray();
                Console.WriteLine(JsonSerializer.Serialize(new { ids, pieces }));
            }
            else
            {
                foreach (var id in ids) Console.WriteLine($"{id,6} -> '{tokenizer.TokenText(id)}'");
            }
            return 0;
        });
        return command;
    }
}
