using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// A real child process enqueues notices and prints each id once Enqueue returned; it is killed with SIGKILL at random
/// moments, several times. Reopened, the outbox holds every acknowledged notice exactly as it was enqueued, and delivers
/// each to a receiver on 127.0.0.1 at least once, with its id.
/// </summary>
public sealed class OutboxCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Every_acknowledged_notice_survives_kill_9_and_is_delivered_with_its_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var notifiers = $"""
            hook:
              kind: webhook
              url: {receiver.Url}/hook
              allow_private: true
            """;
        var random = new Random(31);
        var acknowledged = new List<string>();
        var rounds = Scale.Pick(ci: 4, longRun: 20);
        for (var round = 0; round < rounds; round++)
        {
            var seen = await RunAndKillAsync(round, random.Next(1, 120));
            acknowledged.AddRange(seen);
            output.WriteLine($"round {round}: killed after {seen.Count} acknowledged notices");
            if (round == 1)
            {
                // Deliver what is there so far: a later reopen must not lose track of what was delivered or of what was not.
                await using var rig = await DeliveryRig.StartAsync(_data.Path, notifiers);
                await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "the first rounds' notices to be delivered");
            }
        }
        var delivered = receiver.Requests.Count;
        await using (var reopened = await DeliveryRig.StartAsync(_data.Path, notifiers))
        {
            await DeliveryRig.UntilAsync(() => reopened.Outbox.PendingCount == 0, "every notice to be delivered");
        }
        var bodies = receiver.Requests.Select(r => r.Body).ToList();
        var byId = bodies.GroupBy(b => JsonDocument.Parse(b).RootElement.GetProperty("id").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var id in acknowledged)
        {
            Assert.True(byId.TryGetValue(id, out var received), $"acknowledged notice {id} was never delivered");
            Assert.All(received, body => Assert.Equal(Encode(Expected(id)), body)); // complete, as enqueued
        }
        Assert.All(byId.Keys, id => Assert.Matches(@"^\d+:\d+$", id)); // a torn notice is never sent
        output.WriteLine($"{rounds} rounds: {acknowledged.Count} acknowledged, {byId.Count} distinct delivered ({delivered} before the last reopen), {bodies.Count - byId.Count} sent twice");
    }

    /// <summary>The notice the child enqueues as <paramref name="id"/> (round:n): see tests/Pulseboard.Tests.Child.</summary>
    private static AlertNotice Expected(string id)
    {
        var n = int.Parse(id.Split(':')[1], CultureInfo.InvariantCulture);
        return new AlertNotice(id, n % 2 == 0 ? "firing" : "resolved", "model-down", "fleet", "nodes",
            new Dictionary<string, string> { ["source"] = $"model-{n % 7}" }, $"model-{n % 7} on fleet/nodes is down ({id})",
            DateTimeOffset.UnixEpoch.AddSeconds(n), n % 2 == 0 ? null : DateTimeOffset.UnixEpoch.AddSeconds(n + 1), "/d/fleet", ["hook"]);
    }

    private static string Encode(AlertNotice notice) => System.Text.Encoding.UTF8.GetString(NoticeBodies.WebhookBody(notice));

    private async Task<List<string>> RunAndKillAsync(int round, int killAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Built.CrashChild, "outbox", _data.Path, round.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var seen = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (seen.Count < killAfter && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line != "ready")
                {
                    seen.Add(line);
                }
            }
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        Assert.Equal(killAfter, seen.Count);
        return seen;
    }
}
