using System.CommandLine;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Cli.Commands;

/// <summary><c>--cache-type-k</c> / <c>-ctk</c> and <c>--cache-type-v</c> / <c>-ctv</c> (llama.cpp's): how a verb's KV caches store keys and values.</summary>
internal sealed class CacheTypeOptions
{
    public Option<string> Keys { get; } = Create("--cache-type-k", "-ctk", "keys");
    public Option<string> Values { get; } = Create("--cache-type-v", "-ctv", "values");

    public void AddTo(Command command)
    {
        command.Options.Add(Keys);
        command.Options.Add(Values);
    }

    /// <summary>Sets the model's cache format to the one the options name (f16 where one is not given).</summary>
    public void ApplyTo(ParseResult parse, LanguageModel model) =>
        model.CacheFormat = new KvCacheFormat(KvCacheFormat.Parse(parse.GetValue(Keys) ?? "f16"), KvCacheFormat.Parse(parse.GetValue(Values) ?? "f16"));

    private static Option<string> Create(string name, string alias, string what) => new(name, alias)
    {
        Description = $"KV cache type for {what}: {string.Join(", ", KvCacheFormat.Types.Select(t => t.ToString().ToLowerInvariant()))} (default: f16)",
        Validators =
        {
            result =>
            {
                try
                {
                    KvCacheFormat.Parse(result.GetValueOrDefault<string>()!);
                }
                catch (ArgumentException e)
                {
                    result.AddError($"{name}: {e.Message}");
                }
            },
        },
    };
}
