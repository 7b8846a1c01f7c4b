using System.CommandLine;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Cli.Commands;

/// <summary>The sampler options of the verbs that generate (<c>--temp</c>, <c>--top-k</c>, <c>--top-p</c>,
/// <c>--min-p</c>, <c>--seed</c>), created per command, and the <see cref="SamplingOptions"/> they give.</summary>
internal sealed class SamplingOptionSet
{
    private readonly Option<float> _temperature = new("--temperature", "--temp") { Description = "0 = greedy", DefaultValueFactory = _ => SamplingOptions.Default.Temperature };
    private readonly Option<int> _topK = new("--top-k") { Description = "0 = off", DefaultValueFactory = _ => SamplingOptions.Default.TopK };
    private readonly Option<float> _topP = new("--top-p") { Description = "1 = off", DefaultValueFactory = _ => SamplingOptions.Default.TopP };
    private readonly Option<float> _minP = new("--min-p") { Description = "0 = off", DefaultValueFactory = _ => SamplingOptions.Default.MinP };
    private readonly Option<ulong?> _seed = new("--seed", "-s") { Description = "random seed (default: random)" };

    public void AddTo(Command command)
    {
        command.Options.Add(_temperature);
        command.Options.Add(_topK);
        command.Options.Add(_topP);
        command.Options.Add(_minP);
        command.Options.Add(_seed);
    }

    public SamplingOptions From(ParseResult parse) => SamplingOptions.Default with
    {
        Temperature = parse.GetValue(_temperature),
        TopK = parse.GetValue(_topK),
        TopP = parse.GetValue(_topP),
        MinP = parse.GetValue(_minP),
        Seed = parse.GetValue(_seed),
    };
}
