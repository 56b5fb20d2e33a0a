using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server.Compat;

namespace Pulseboard.Tests.Compat;

/// <summary>The starts remembered for run times: bounded, oldest forgotten first, and none older than 72 hours used.</summary>
public sealed class PingRunsTests
{
    [Fact]
    public void At_most_MaxRuns_starts_are_kept_and_the_oldest_goes_first()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var runs = new PingRuns(clock);
        for (var i = 0; i <= PingRuns.MaxRuns; i++)
        {
            runs.Start("checks", $"job-{i}", null);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(PingRuns.MaxRuns, runs.Count);
        Assert.Null(runs.End("checks", "job-0", null)); // the oldest was forgotten
        Assert.NotNull(runs.End("checks", "job-1", null));
        Assert.NotNull(runs.End("checks", $"job-{PingRuns.MaxRuns}", null));
    }

    [Fact]
    public void A_start_older_than_72_hours_gives_no_run_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var runs = new PingRuns(clock);
        runs.Start("checks", "weekly", "r1");
        clock.Advance(PingRuns.MaxRunTime + TimeSpan.FromSeconds(1));
        Assert.Null(runs.End("checks", "weekly", "r1"));
        Assert.Equal(0, runs.Count);
    }
}
