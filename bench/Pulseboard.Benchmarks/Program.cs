using Pulseboard.Benchmarks.Micro;
using Pulseboard.Benchmarks.Throughput;

return args switch
{
    ["bdn", .. var rest] => MicroBenchmarks.Run(rest),
    ["live", .. var rest] => await Pulseboard.Benchmarks.Live.LiveCommand.RunAsync(rest).ConfigureAwait(false),
    ["throughput", .. var rest] => await ThroughputCommand.RunAsync(rest).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Pulseboard.Benchmarks bdn [BenchmarkDotNet arguments, e.g. --filter '*Append*']
               Pulseboard.Benchmarks throughput [--events N] [--out results.json] (--help for every option)
        """);
    return 2;
}
