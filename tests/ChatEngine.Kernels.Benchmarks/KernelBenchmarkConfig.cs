using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;

namespace ChatEngine.Kernels.Benchmarks;

/// <summary>Results grouped by feature (the benchmark category: dot, gemm, quantize, ops), with throughput columns.</summary>
public static class KernelBenchmarkConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddColumn(new ThroughputColumn(ThroughputColumn.Unit.GigabytesPerSecond), new ThroughputColumn(ThroughputColumn.Unit.GigaflopsPerSecond))
        .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
        .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared))
        .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(20));
}
