using Pulseboard.Benchmarks.Micro;
using Pulseboard.Benchmarks.Throughput;

return args switch
{
    ["bdn", .. var rest] => MicroBenchmarks.Run(rest),
    ["load", .. var rest] => await Pulseboard.Benchmarks.Load.LoadCommand.RunAsync(rest).ConfigureAwait(false),
    ["first-render", .. var rest] => await Pulseboard.Benchmarks.FirstRender.FirstRenderCommand.RunAsync(rest).ConfigureAwait(false),
    ["throughput", .. var rest] => await ThroughputCommand.RunAsync(rest).ConfigureAwait(false),
    ["cluster", .. var rest] => await Pulseboard.Benchmarks.Cluster.ClusterCommand.RunAsync(rest).ConfigureAwait(false),
    ["alerts", .. var rest] => await Pulseboard.Benchmarks.Alerts.DeliveryCommand.RunAsync(rest).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Pulseboard.Benchmarks bdn [BenchmarkDotNet arguments, e.g. --filter '*Append*']
               Pulseboard.Benchmarks throughput [--events N] [--out results.json] (--help for every option)
               Pulseboard.Benchmarks first-render [--loads N] [--levers true] [--json FILE] (first render against its floor)
               Pulseboard.Benchmarks cluster [--seconds N] [--only throughput,failover,raw] (the log on NATS JetStream, issue 15)
               Pulseboard.Benchmarks alerts [--notices N] (alert notice delivery to a loopback webhook)
               Pulseboard.Benchmarks load [--url URL] [--agents N] [--seconds N] [--json report.json] (--help for every option)
        """);
    return 2;
}
