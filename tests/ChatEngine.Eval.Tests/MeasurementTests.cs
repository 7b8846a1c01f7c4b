using ChatEngine.Eval.Measurement;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>Percentiles and level aggregates on hand-computed samples.</summary>
public sealed class MeasurementTests
{
    [Theory]
    [InlineData(0.50, 35.0)]
    [InlineData(0.90, 46.0)] // h = 3.6: 40 + 0.6 * 10
    [InlineData(0.99, 49.6)] // h = 3.96: 40 + 0.96 * 10
    [InlineData(0.00, 15.0)]
    [InlineData(1.00, 50.0)]
    [InlineData(0.25, 20.0)]
    public void Percentiles_interpolate_between_closest_ranks(double q, double expected) =>
        Assert.Equal(expected, Percentiles.OfSorted([15, 20, 35, 40, 50], q), 10);

    [Fact]
    public void Distribution_of_nothing_is_all_null_and_of_one_value_is_that_value()
    {
        Assert.Equal(new Distribution(0, null, null, null, null, null), Distribution.Of([]));
        Assert.Equal(new Distribution(1, 7, 7, 7, 7, 7), Distribution.Of([7]));
    }

    [Fact]
    public void Level_summary_from_known_requests()
    {
        RequestResult[] results =
        [
            new() { RequestId = "a", E2eMs = 1000, TtftMs = 100, ItlMs = [.. Enumerable.Repeat(100.0, 9)], PromptTokens = 20, CompletionTokens = 10, CheckPassed = true },
            new() { RequestId = "b", E2eMs = 500, TtftMs = 50, ItlMs = [150, 150, 150], PromptTokens = 30, CompletionTokens = 4, CheckPassed = false },
            new() { RequestId = "c", E2eMs = 20, Error = ErrorKind.HttpStatus, HttpStatus = 503 },
        ];
        var summary = LevelSummary.From(4, 2.0, results);

        Assert.Equal((3, 2, 1), (summary.Requests, summary.Succeeded, summary.Failed));
        Assert.Equal(1 / 3.0, summary.ErrorRate, 12);
        Assert.Equal(1, summary.ErrorsByKind["http_status"]);
        Assert.Equal(7.0, summary.OutputTokensPerSecond, 12); // 14 tokens / 2 s
        Assert.Equal(1.0, summary.RequestsPerSecond, 12);
        Assert.Equal(50, summary.PromptTokens);
        Assert.Equal(75, summary.TtftMs.P50!.Value, 12);
        Assert.Equal((10 + 3 / 0.45) / 2, summary.StreamTokensPerSecond.Mean!.Value, 9); // 9 / 0.9 s and 3 / 0.45 s
        Assert.Equal(12, summary.ItlMs.Count);
        Assert.Equal(100, summary.ItlMs.P50!.Value, 12);
        Assert.Equal(150, summary.ItlMs.P99!.Value, 12);
        Assert.Equal(750, summary.E2eMs.P50!.Value, 12);
        Assert.Equal((2, 1), (summary.Checked, summary.ChecksPassed));
    }
}
