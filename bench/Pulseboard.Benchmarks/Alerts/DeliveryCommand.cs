using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pulseboard.Benchmarks.Throughput;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Benchmarks.Alerts;

/// <summary>
/// The <c>alerts</c> mode: alert notice delivery to a webhook receiver on 127.0.0.1. Enqueue (append + fsync per notice)
/// is measured on its own, then delivery of what the outbox holds, to one notifier and to four (each notice to all four).
/// </summary>
internal static class DeliveryCommand
{
    private const string Help = "usage: Pulseboard.Benchmarks alerts [--notices N] (default 2,000)";

    public static async Task<int> RunAsync(string[] args)
    {
        long notices = 2_000;
        if (!Arguments.TryApply(args, (name, value) =>
        {
            string? error = null;
            if (name == "--notices")
            {
                notices = Arguments.Count(name, value, 1_000_000, ref error);
                return error;
            }
            return $"unknown option {name}";
        }, out var problem))
        {
            (problem is null ? Console.Out : Console.Error).WriteLine(problem is null ? Help : $"{problem}\n{Help}");
            return problem is null ? 0 : 2;
        }

        var received = 0L;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/{**path}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null).ConfigureAwait(false);
            Interlocked.Increment(ref received);
            return Results.Text("ok");
        });
        await receiver.StartAsync().ConfigureAwait(false);
        var url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"receiver      {url} (Kestrel, answers 200)");
        Console.WriteLine($"notices       {notices:N0}, each a webhook JSON body of {NoticeBodies.WebhookBody(Notice(0, ["a"])).Length} bytes");
        Console.WriteLine();

        foreach (var notifierCount in new[] { 1, 4 })
        {
            var names = Enumerable.Range(0, notifierCount).Select(i => $"hook-{i}").ToArray();
            var yaml = new StringBuilder();
            foreach (var name in names)
            {
                yaml.Append($"{name}:\n  kind: webhook\n  url: {url}/{name}\n  secret: bench\n  allow_private: true\n");
            }
            var notifiers = NotifierSet.Parse("notifiers.yaml", Encoding.UTF8.GetBytes(yaml.ToString()));
            using var folder = TempDataFolder.Create(Path.GetTempPath(), "alerts");
            using var outbox = new AlertOutbox(folder.Path, TimeProvider.System, NullLogger.Instance);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < notices; i++)
            {
                outbox.Enqueue(Notice(i, names));
            }
            var enqueue = clock.Elapsed;
            Console.WriteLine($"  enqueue ({notifierCount} notifier{(notifierCount > 1 ? "s" : "")}): {notices / enqueue.TotalSeconds,10:N0} notices/s ({enqueue.TotalMilliseconds / notices:F3} ms each: one append and one fsync)");

            var before = Interlocked.Read(ref received);
            using var sender = new NoticeSender();
            var counters = new DeliveryCounters();
            using var delivery = new AlertDelivery(outbox, sender, notifiers, counters, DeliveryPolicy.Default, TimeProvider.System, NullLogger<AlertDelivery>.Instance);
            clock.Restart();
            await delivery.StartAsync(CancellationToken.None).ConfigureAwait(false);
            while (outbox.PendingCount > 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
            var deliver = clock.Elapsed;
            await delivery.StopAsync(CancellationToken.None).ConfigureAwait(false);
            var deliveries = notices * notifierCount;
            var failed = names.Sum(n => counters.Get(n, DeliveryCounters.FailedAttempt));
            Console.WriteLine($"  deliver ({notifierCount} notifier{(notifierCount > 1 ? "s" : "")}): {deliveries / deliver.TotalSeconds,10:N0} deliveries/s ({deliveries:N0} in {deliver.TotalSeconds:F2} s; receiver got {Interlocked.Read(ref received) - before:N0}; {failed} failed attempts)");
        }
        await receiver.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static AlertNotice Notice(int n, IReadOnlyList<string> notify) => new(
        $"bench-{n}", n % 2 == 0 ? "firing" : "resolved", "model-down", "fleet", "nodes",
        new Dictionary<string, string> { ["source"] = $"model-{n % 50}" }, $"model-{n % 50} on fleet/nodes is down (last seen 12:03:04Z)",
        DateTimeOffset.UnixEpoch.AddSeconds(n), null, "http://127.0.0.1:5080/d/fleet", notify);
}
