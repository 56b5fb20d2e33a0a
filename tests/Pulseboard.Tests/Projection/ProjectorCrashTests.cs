using Pulseboard.Samples;
using System.Diagnostics;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// Exactly once under SIGKILL: a real projector process is killed at random moments, many times, while the log
/// grows; afterwards every cache equals a clean rebuild, byte for byte (but for its wall-clock <c>generated</c>).
/// </summary>
public sealed class ProjectorCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Caches_killed_anywhere_equal_a_clean_rebuild()
    {
        var dashboards = Path.Combine(Repo.Root, "dashboards");
        var random = new Random(5);
        var rounds = Scale.Pick(ci: 8, longRun: 40);
        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, Retention = null }))
        {
            await log.AppendAsync(Enumerable.Range(0, 3000).Select(SampleTraffic.Make).ToList());
            for (var round = 0; round < rounds; round++)
            {
                var cycles = await RunChildAsync(dashboards, killAfterCycles: random.Next(1, 12));
                output.WriteLine($"round {round}: killed after {cycles} cycles");
                await log.AppendAsync(Enumerable.Range(3000 + (round * 1000), 1000).Select(SampleTraffic.Make).ToList());
            }
        }
        Assert.Equal(-1, await RunChildAsync(dashboards, killAfterCycles: int.MaxValue)); // the last run completes
        var survived = ProjectorTests.WithoutGenerated(CacheFolder.Read(_data.Path));

        using var clean = new TempDirectory();
        ProjectorTests.CopyLog(_data.Path, clean.Path);
        await using (var reader = new FileEventLogReader(clean.Path))
        {
            using var projector = Projector.Open(new ProjectorOptions { DataDirectory = clean.Path, DashboardsDirectory = dashboards, FsyncCaches = false }, reader);
            while (projector.RunOnce(reader).Position < reader.End)
            {
            }
        }
        var rebuilt = ProjectorTests.WithoutGenerated(CacheFolder.Read(clean.Path));
        output.WriteLine($"{rounds} rounds killed with SIGKILL over {3000 + (rounds * 1000)} events; {rebuilt.Count} caches compared");
        Assert.Equal(10, rebuilt.Count);
        foreach (var (name, bytes) in rebuilt)
        {
            Assert.Equal(bytes, survived[name]);
        }
    }


    /// <summary>Runs the projector child; kills it after that many cycles. Returns the cycles seen, or -1 when it finished first.</summary>
    private async Task<int> RunChildAsync(string dashboards, int killAfterCycles)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Built.CrashChild, "project", _data.Path, dashboards })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var cycles = 0;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == "done")
                {
                    return -1;
                }
                if (++cycles >= killAfterCycles)
                {
                    break;
                }
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(); // SIGKILL
            }
            await process.WaitForExitAsync();
        }
        return cycles;
    }
}
