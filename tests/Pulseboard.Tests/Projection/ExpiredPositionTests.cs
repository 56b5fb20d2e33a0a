using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Projection;
using Pulseboard.Samples;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// A cache whose next position expired (the file log purged it, the stream's max age removed it) before the projector
/// read it is rebuilt from where the log starts, with a warning that says so: at open and in a running cycle.
/// </summary>
public sealed class ExpiredPositionTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _clean = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _data.Dispose();
        _clean.Dispose();
    }

    private Projector Open(IEventLogReader log, ListLogger? logger = null, string? data = null) => Projector.Open(new ProjectorOptions
    {
        DataDirectory = data ?? _data.Path,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        TimeProvider = _clock,
        FsyncCaches = false,
        Logger = logger,
    }, log);

    /// <summary>A file log where seqs 1–40 were projected, 41–80 were appended but never read, then purged, and 81–85 follow.</summary>
    private async Task<FileEventLog> PurgedUnreadAsync(Func<FileEventLog, Task> beforePurge)
    {
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = _clock, Retention = null, SegmentMaxBytes = 4096 });
        await log.AppendAsync(Enumerable.Range(0, 40).Select(SampleTraffic.Make).ToList());
        using (var projector = Open(log))
        {
            Assert.Equal(40, projector.RunOnce(log).Position);
        }
        await log.AppendAsync(Enumerable.Range(40, 40).Select(SampleTraffic.Make).ToList());
        await beforePurge(log);
        _clock.Advance(TimeSpan.FromDays(8));
        await log.AppendAsync(Enumerable.Range(80, 5).Select(SampleTraffic.Make).ToList());
        await log.PurgeAsync(_clock.GetUtcNow() - TimeSpan.FromDays(7));
        Assert.True(log.Start > 41, $"the purge left the log starting at {log.Start}");
        return log;
    }

    /// <summary>The caches a clean projection of the log as it is now writes, without their generated time.</summary>
    private Dictionary<string, string> CleanRebuild(IEventLogReader log)
    {
        using (var projector = Open(log, data: _clean.Path))
        {
            while (projector.RunOnce(log).Position < log.End)
            {
            }
        }
        return ProjectorTests.WithoutGenerated(CacheFolder.Read(_clean.Path));
    }

    [Fact]
    public async Task At_open_a_cache_behind_a_purge_is_rebuilt_from_the_logs_start_and_says_so()
    {
        await using var log = await PurgedUnreadAsync(_ => Task.CompletedTask);
        var logger = new ListLogger();
        using (var projector = Open(log, logger))
        {
            projector.RunOnce(log);
        }
        Assert.Contains(logger.Messages, m => m.StartsWith("Dashboard costs: its cache needs seq 41 on, but the log now starts at seq " + log.Start, StringComparison.Ordinal));
        Assert.Equal(CleanRebuild(log), ProjectorTests.WithoutGenerated(CacheFolder.Read(_data.Path)));
    }

    [Fact]
    public async Task In_a_running_cycle_a_skipped_position_rebuilds_the_caches_that_missed_it()
    {
        var logger = new ListLogger();
        Projector? running = null;
        await using var log = await PurgedUnreadAsync(l =>
        {
            running = Open(l, logger); // opened before the purge: nothing to say yet
            return Task.CompletedTask;
        });
        using (running)
        {
            Assert.DoesNotContain(logger.Messages, m => m.Contains("never read", StringComparison.Ordinal));
            running!.RunOnce(log);
        }
        Assert.Contains(logger.Messages, m => m.StartsWith("Dashboard costs: its cache needs seq 41 on, but the log now starts at seq " + log.Start, StringComparison.Ordinal));
        Assert.Equal(CleanRebuild(log), ProjectorTests.WithoutGenerated(CacheFolder.Read(_data.Path)));
    }

    [Fact]
    public async Task A_cache_behind_the_streams_max_age_is_rebuilt_from_what_the_stream_holds()
    {
        await nats.DeleteStreamAsync();
        // Real time: the server ages events out by its own clock. The wait is on the condition, bounded.
        await using var log = await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions
        {
            Urls = nats.Url, MaxAge = TimeSpan.FromSeconds(1), DuplicateWindow = TimeSpan.FromMilliseconds(500),
        });
        await log.AppendAsync(Enumerable.Range(0, 20).Select(SampleTraffic.Make).ToList());
        using (var projector = Open(log))
        {
            Assert.Equal(20, projector.RunOnce(log).Position);
        }
        await log.AppendAsync(Enumerable.Range(20, 20).Select(SampleTraffic.Make).ToList()); // never read
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await log.PurgeAsync(DateTimeOffset.MinValue, bound.Token)).Start <= 40)
        {
            await Task.Yield();
        }
        var logger = new ListLogger();
        using (var projector = Open(log, logger))
        {
            projector.RunOnce(log);
        }
        Assert.Contains(logger.Messages, m => m.StartsWith("Dashboard costs: its cache needs seq 21 on, but the log now starts at seq 41", StringComparison.Ordinal));
        Assert.Equal(CleanRebuild(log), ProjectorTests.WithoutGenerated(CacheFolder.Read(_data.Path)));
    }

    internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
