using ChatEngine.Eval.Engine;
using ChatEngine.Eval.Measurement;

namespace ChatEngine.Eval.Reports;

/// <summary>
/// The result file of one <c>eval run</c> (schema in eval/README.md). <see cref="SchemaVersion"/> changes whenever a
/// field changes meaning or disappears; readers refuse versions they do not know.
/// </summary>
public sealed record EvalResult
{
    public const string SchemaName = "chatengine-eval-result";
    public const int CurrentSchemaVersion = 1;

    public string Schema { get; init; } = SchemaName;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string Label { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required TargetInfo Target { get; init; }
    public required SuiteInfo Suite { get; init; }
    public required RunSettings Settings { get; init; }
    public required MachineInfo Machine { get; init; }

    /// <summary>True when Ctrl+C or SIGTERM stopped the run: levels hold what finished before.</summary>
    public bool Interrupted { get; init; }
    public required IReadOnlyList<LevelResult> Levels { get; init; }
    public PerplexityReport? Perplexity { get; init; }
}

/// <summary>What was measured: <c>http</c> (endpoint URL) or <c>engine</c> (model file), and the model name.</summary>
public sealed record TargetInfo(string Kind, string Location, string Model);

public sealed record SuiteInfo(string Name, string Path, string Sha256, int Requests);

/// <summary>Concurrency levels and the per-level budget (exactly one of requests / duration).</summary>
public sealed record RunSettings(IReadOnlyList<int> Concurrency, int? RequestsPerLevel, double? DurationS, double TimeoutS, int WarmupRequests,
    double? RequestRate = null, string? Goodput = null);

/// <summary>Where it ran: OS, logical cores, and the user's free-text description (<c>--machine</c>).</summary>
public sealed record MachineInfo(string Os, int ProcessorCount, string? Description)
{
    public static MachineInfo Current(string? description) =>
        new(System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.ProcessorCount, description);
}
