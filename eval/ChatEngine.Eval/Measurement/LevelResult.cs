namespace ChatEngine.Eval.Measurement;

/// <summary>One concurrency level: its aggregates and every request behind them (in start order).</summary>
public sealed record LevelResult(LevelSummary Summary, IReadOnlyList<RequestResult> Requests);
