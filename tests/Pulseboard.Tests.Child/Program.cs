using Pulseboard;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server.Alerts;

if (args[0] == "outbox")
{
    // Usage: Pulseboard.Tests.Child outbox <data> <round>
    // Enqueues alert notices forever; prints each one's id once Enqueue returned (durable), so the parent can kill it anywhere.
    using var outbox = new AlertOutbox(args[1], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    Console.WriteLine("ready");
    for (var n = 0; ; n++)
    {
        var id = $"{args[2]}:{n}";
        outbox.Enqueue(new AlertNotice(id, n % 2 == 0 ? "firing" : "resolved", "model-down", "fleet", "nodes",
            new Dictionary<string, string> { ["source"] = $"model-{n % 7}" }, $"model-{n % 7} on fleet/nodes is down ({id})",
            DateTimeOffset.UnixEpoch.AddSeconds(n), n % 2 == 0 ? null : DateTimeOffset.UnixEpoch.AddSeconds(n + 1), "/d/fleet", ["hook"]));
        Console.Out.WriteLine(id);
        Console.Out.Flush();
    }
}

if (args[0] == "project")
{
    // Usage: Pulseboard.Tests.Child project <data> <dashboards>
    // Projects in small cycles until caught up, printing "cycle <checkpoint>" after each, so the parent can kill it anywhere.
    await using var reader = new FileEventLogReader(args[1]);
    using var projector = Projector.Open(new ProjectorOptions { DataDirectory = args[1], DashboardsDirectory = args[2], MaxCycleEvents = 97 }, reader);
    var end = reader.End;
    while (true)
    {
        var cycle = projector.RunOnce(reader);
        Console.WriteLine($"cycle {cycle.Position}");
        if (cycle.Position >= end)
        {
            Console.WriteLine("done");
            return 0;
        }
    }
}

// Usage: Pulseboard.Tests.Child <data> <round> <none|fsync>
// Appends batches of 1..32 events forever; after each acknowledgement prints "<seq> <round>:<n>" per event, flushed,
// so the parent knows exactly what was acknowledged before it kills this process.
var data = args[0];
var round = args[1];
var durability = args.Length > 2 && args[2] == "fsync" ? Durability.Fsync : Durability.None;
await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data, Durability = durability, SegmentMaxBytes = 64 * 1024 });
var random = new Random(round.GetHashCode(StringComparison.Ordinal));
var stdout = Console.Out;
Console.WriteLine("ready");
for (var n = 0; ; )
{
    var batch = new List<Event>();
    var size = random.Next(1, 33);
    for (var i = 0; i < size; i++, n++)
    {
        batch.Add(new Event
        {
            Dashboard = "crash",
            Section = "loop",
            Action = "tick",
            Id = $"{round}:{n}",
            Content = Event.ParseContent($$"""{"round":"{{round}}","n":{{n}},"pad":"{{new string('x', random.Next(0, 200))}}"}"""),
        });
    }
    var outcomes = await log.AppendAsync(batch);
    for (var i = 0; i < batch.Count; i++)
    {
        stdout.WriteLine($"{outcomes[i].Position} {batch[i].Id}");
    }
    stdout.Flush();
}
#pragma warning disable CS0162 // the loop above ends only with the process
return 0;
