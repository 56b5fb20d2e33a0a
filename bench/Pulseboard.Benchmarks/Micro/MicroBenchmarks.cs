using BenchmarkDotNet.Running;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>The <c>bdn</c> mode: BenchmarkDotNet over every benchmark class here, arguments passed through.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
