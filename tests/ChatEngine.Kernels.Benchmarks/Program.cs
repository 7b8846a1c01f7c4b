using BenchmarkDotNet.Running;
using ChatEngine.Kernels.Benchmarks;

// dotnet run -c Release --project tests/ChatEngine.Kernels.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarkConfig).Assembly).Run(args, KernelBenchmarkConfig.Create());
