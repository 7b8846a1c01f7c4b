using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ChatEngine.Kernels.Benchmarks;

/// <summary>GB/s or GFLOP/s of a benchmark: its <see cref="Workload"/> divided by the mean time of one invocation.</summary>
public sealed class ThroughputColumn(ThroughputColumn.Unit unit) : IColumn
{
    public enum Unit { GigabytesPerSecond, GigaflopsPerSecond }

    public string Id => $"{nameof(ThroughputColumn)}.{unit}";
    public string ColumnName => unit == Unit.GigabytesPerSecond ? "GB/s" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => (int)unit;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => unit == Unit.GigabytesPerSecond
        ? "Bytes read per invocation / mean time (weights for dot and gemm, inputs and outputs for quantize and ops)"
        : "Operations per invocation / mean time (a multiply-add counts 2)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (nanoseconds is not > 0) return "-";
        var workload = WorkloadOf(benchmarkCase);
        var amount = unit == Unit.GigabytesPerSecond ? workload.Bytes : workload.Operations;
        return amount > 0 ? (amount / nanoseconds.Value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    /// <summary>A fresh instance with the case's parameters set, asked for its workload (setup is not run).</summary>
    private static Workload WorkloadOf(BenchmarkCase benchmarkCase)
    {
        var instance = Activator.CreateInstance(benchmarkCase.Descriptor.Type);
        foreach (var parameter in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(instance, parameter.Value);
        return instance is IHasWorkload hasWorkload ? hasWorkload.WorkloadOf(benchmarkCase.Descriptor.WorkloadMethod.Name) : default;
    }
}
