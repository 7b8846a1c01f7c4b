using System.CommandLine;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Lora;

namespace ChatEngine.Cli.Commands;

/// <summary>The repeatable <c>--lora FILE[:SCALE]</c> option and the adapters it loads.</summary>
internal static class LoraOption
{
    public static Option<LoraAdapterSpec[]> Create(bool required = false) => new("--lora")
    {
        Description = "LoRA adapter GGUF to apply, FILE or FILE:SCALE (scale 1 by default); repeat for several",
        Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
        Required = required,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
        CustomParser = result =>
        {
            try
            {
                return result.Tokens.Select(t => LoraAdapterSpec.Parse(t.Value)).ToArray();
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message);
                return [];
            }
        },
    };

    /// <summary>Loads and validates the adapters named on the command line against <paramref name="model"/>.</summary>
    public static LoadedAdapters Load(ParseResult parse, Option<LoraAdapterSpec[]> option, LanguageModel model) =>
        new(LoraAdapterSpec.LoadAll(parse.GetValue(option) ?? [], model));
}

/// <summary>Adapters loaded for one command run, as the selection to evaluate with; disposing closes their files.</summary>
internal sealed class LoadedAdapters(IReadOnlyList<ScaledLoraAdapter> adapters) : IDisposable
{
    public IReadOnlyList<ScaledLoraAdapter> Adapters { get; } = adapters;
    public LoraSelection Selection { get; } = new(adapters);

    public void Dispose()
    {
        foreach (var adapter in Adapters) adapter.Adapter.Dispose();
    }
}
