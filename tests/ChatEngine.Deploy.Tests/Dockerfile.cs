using System.Text.Json;

namespace ChatEngine.Deploy.Tests;

/// <summary>A Dockerfile read into stages of instructions (continuation lines joined, comments dropped).</summary>
public sealed record Dockerfile(IReadOnlyList<Dockerfile.Stage> Stages)
{
    public sealed record Instruction(string Keyword, string Arguments, int Line);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

        public Instruction Single(string keyword) => All(keyword).Single();

        /// <summary>ENV lines as name/value pairs (the <c>ENV A=1 B=2</c> form).</summary>
        public Dictionary<string, string> Environment() => All("ENV")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
    }

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        string? image = null, name = null;
        var logical = "";
        var start = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (logical.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)) continue;
            if (logical.Length == 0) start = i + 1;
            if (line.EndsWith('\\'))
            {
                logical += line[..^1].Trim() + " ";
                continue;
            }
            logical += line.Trim();
            var space = logical.IndexOf(' ', StringComparison.Ordinal);
            var instruction = new Instruction(logical[..space].ToUpperInvariant(), logical[(space + 1)..].Trim(), start);
            logical = "";
            if (instruction.Keyword == "FROM")
            {
                if (current is not null) stages.Add(new Stage(image!, name, current));
                var parts = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                image = parts[0];
                name = parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                current = [];
                continue;
            }
            (current ?? throw new FormatException($"line {start}: {instruction.Keyword} before FROM")).Add(instruction);
        }
        if (current is not null) stages.Add(new Stage(image!, name, current));
        return new Dockerfile(stages);
    }

    /// <summary>The exec form (<c>["a", "b"]</c>) of CMD/ENTRYPOINT/HEALTHCHECK CMD as a list of arguments.</summary>
    public static string[] ExecForm(string arguments)
    {
        var json = arguments[arguments.IndexOf('[', StringComparison.Ordinal)..];
        return JsonSerializer.Deserialize<string[]>(json) ?? throw new FormatException($"'{arguments}' is not in exec form");
    }
}
