using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Samples;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

public sealed class ProjectorIdleTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    private long SavedCheckpoint(string? data = null) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data ?? _data.Path, "caches", "_projector.json"))).RootElement.GetProperty("position").GetInt64();

    [Fact]
    public async Task After_a_burst_the_projector_sleeps_until_the_next_event_and_saves_its_checkpoint_once_due()
    {
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = _clock, Retention = null });
        var watched = new WatchedLog(log);
        using var stop = new CancellationTokenSource();
        using var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = _data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TimeProvider = _clock,
            FsyncCaches = false,
            CheckpointInterval = TimeSpan.FromSeconds(1),
            Debounce = TimeSpan.Zero, // the only timer left is the checkpoint's, so fake time alone decides every wakeup
        }, watched);
        var running = projector.RunAsync(watched, stop.Token);

        Assert.Equal(0, await watched.NextWaitAsync()); // the first cycle wrote the empty caches and checkpoint 0
        await log.AppendAsync(Enumerable.Range(0, 5).Select(SampleTraffic.Make).ToList());
        // The burst is projected; the checkpoint is not due yet. The projector waits past its position: waiting past
        // the stale checkpoint would return at once, a cycle every debounce until the next event.
        Assert.Equal(5, await watched.NextWaitAsync());
        Assert.Equal(0, projector.Checkpoint);

        // No new event, but the checkpoint falls due: one idle cycle saves it, then the wait goes on.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, await watched.NextWaitAsync());
        Assert.Equal(5, projector.Checkpoint);
        Assert.Equal(5, SavedCheckpoint());

        // With nothing due, time alone wakes nothing: the next wait comes after the next event, with no cycle between.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await log.AppendAsync([SampleTraffic.Make(5)]);
        Assert.Equal(6, await watched.NextWaitAsync());
        Assert.Equal(6, SavedCheckpoint());

        await stop.CancelAsync();
        await running;
        Assert.Equal(4, watched.Waits);
    }

    [Fact]
    public async Task The_caches_folder_and_the_renamed_checkpoint_are_synced_to_their_folders()
    {
        var data = Path.Combine(_data.Path, "fresh");
        var caches = Path.Combine(data, "caches");
        var storage = new Log.FaultyStorage();
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data, TimeProvider = _clock, Retention = null });
        await log.AppendAsync([SampleTraffic.Make(0)]);
        var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = data, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"), TimeProvider = _clock, Storage = storage,
        }, log);
        Assert.Contains("dir " + data, storage.Operations); // caches/ was created: its name is in the data folder
        projector.RunOnce(log); // the first checkpoint is due at once
        var done = storage.Operations;
        // Caches renamed, synced, then the checkpoint renamed: its rename is durable only once the folder is synced after it.
        Assert.Equal(["dir " + caches, "dir " + caches], done[^2..]);
        Assert.Equal(1, SavedCheckpoint(data));
        projector.Dispose();
    }

    /// <summary>The log, telling the test each time the projector starts waiting and past which seq.</summary>
    private sealed class WatchedLog(IEventLogReader inner) : IEventLogReader
    {
        private readonly Channel<long> _waits = Channel.CreateUnbounded<long>();

        public int Waits { get; private set; }

        public long Start => inner.Start;

        public long End => inner.End;

        public LogCursor OpenCursor(long from) => inner.OpenCursor(from);

        public ValueTask WaitForAsync(long after, CancellationToken cancellationToken)
        {
            Waits++;
            _waits.Writer.TryWrite(after);
            return inner.WaitForAsync(after, cancellationToken);
        }

        /// <summary>The next wait's seq; the timeout only keeps a broken projector from hanging the run.</summary>
        public async Task<long> NextWaitAsync() => await _waits.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
