using System.Diagnostics;
using Pulseboard.Log;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Log;

/// <summary>
/// A real child process appends in a loop and prints each acknowledged seq; it is killed with SIGKILL at random
/// moments, several times, and every acknowledged event must be in the log, complete, once, in order.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("fsync")]
    public async Task Every_acknowledged_event_survives_kill_9(string durability)
    {
        var child = Built.CrashChild;
        var random = new Random(durability == "none" ? 17 : 23);
        var acknowledged = new Dictionary<string, long>();
        var rounds = Scale.Pick(ci: 5, longRun: 25);
        for (var round = 0; round < rounds; round++)
        {
            var killAfter = random.Next(20, 3000);
            var seen = await RunAndKillAsync(child, round, durability, killAfter);
            foreach (var (seq, id) in seen)
            {
                acknowledged.Add(id, seq);
            }
            output.WriteLine($"round {round}: killed after {seen.Count} acknowledged events");
        }
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path });
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 1000) > 0)
        {
        }
        var stored = records.Select(r => (r.Seq, Event: r.ToEvent())).ToList();
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(s => s.Seq)); // gap-free, in order
        Assert.Equal(stored.Count, stored.Select(s => s.Event.Id).Distinct().Count()); // once each
        var bySeq = stored.ToDictionary(s => s.Seq, s => s.Event);
        foreach (var (id, seq) in acknowledged)
        {
            Assert.True(bySeq.TryGetValue(seq, out var e), $"acknowledged {id} at seq {seq} is missing");
            Assert.Equal(id, e.Id);
            Assert.Equal(int.Parse(id.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), e.N()); // complete content
        }
        output.WriteLine($"{rounds} rounds: {acknowledged.Count} acknowledged, {stored.Count} stored, {log.RecoveredBytes} bytes cut at the last open");
    }

    [Fact]
    public async Task A_second_process_is_refused_with_the_owners_pid_until_the_owner_dies()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Built.CrashChild, _data.Path, "lock", "none" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(timeout.Token));
            var error = Assert.Throws<LogLockedException>(() => FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path }));
            Assert.Equal(process.Id, error.OwnerPid);
            Assert.Contains($"held by process {process.Id} (", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        // The OS released the lock with the process: no stale lock file can block the next writer.
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path });
        Assert.Equal(log.End + 1, Assert.Single(await log.AppendAsync([Sample.Make(0)])).Position);
    }

    private async Task<List<(long Seq, string Id)>> RunAndKillAsync(string child, int round, string durability, int killAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { child, _data.Path, round.ToString(System.Globalization.CultureInfo.InvariantCulture), durability })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var seen = new List<(long, string)>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (seen.Count < killAfter && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == "ready")
                {
                    continue;
                }
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                seen.Add((long.Parse(line[..space], System.Globalization.CultureInfo.InvariantCulture), line[(space + 1)..]));
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
