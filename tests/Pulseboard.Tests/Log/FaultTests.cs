using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

public sealed class FaultTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly FaultyStorage _storage = new();

    public void Dispose() => _data.Dispose();

    private FileEventLog Open(Durability durability = Durability.None) =>
        FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, Storage = _storage, Durability = durability });

    private static List<int> Ns(IEventLogReader log)
    {
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 100) > 0)
        {
        }
        return records.Select(r => r.ToEvent().N()).ToList();
    }

    [Fact]
    public async Task A_failed_write_is_reported_undone_and_the_log_goes_on_once_space_is_back()
    {
        await using var log = Open();
        await log.AppendAsync([Sample.Make(0), Sample.Make(1)]);
        _storage.FailWrites = true;
        var error = await Assert.ThrowsAsync<LogWriteException>(async () => await log.AppendAsync([Sample.Make(2, id: "x")]));
        Assert.False(error.Faulted);
        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing of this batch was stored", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, log.End);
        _storage.FailWrites = false;
        Assert.Equal(AppendOutcome.At(3), Assert.Single(await log.AppendAsync([Sample.Make(3, id: "x")])));
        Assert.Equal([0, 1, 3], Ns(log));
    }

    [Fact]
    public async Task A_failed_fsync_stops_all_acknowledgements_for_good()
    {
        await using (var log = Open(Durability.Fsync))
        {
            await log.AppendAsync([Sample.Make(0)]);
            _storage.FailFsync = true;
            var error = await Assert.ThrowsAsync<LogWriteException>(async () => await log.AppendAsync([Sample.Make(1)]));
            Assert.True(error.Faulted);
            Assert.Contains("fsync of", error.Message, StringComparison.Ordinal);
            _storage.FailFsync = false;
            // Even though the disk "works" again, nothing more is acknowledged (PostgreSQL's fsyncgate).
            var again = await Assert.ThrowsAsync<LogWriteException>(async () => await log.AppendAsync([Sample.Make(2)]));
            Assert.True(again.Faulted);
            Assert.Equal(1, log.End);
        }
        await using (var reopened = Open(Durability.Fsync))
        {
            // Recovery keeps what is on disk; the acknowledged event is there.
            Assert.Contains(0, Ns(reopened));
        }
    }

    [Fact]
    public async Task Fsync_mode_commits_a_group_with_one_fsync()
    {
        await using var log = Open(Durability.Fsync);
        using var hold = new ManualResetEventSlim();
        _storage.HoldFsync = hold;
        var before = _storage.Fsyncs;
        var first = log.AppendAsync([Sample.Make(0)]).AsTask();
        Assert.True(_storage.FsyncEntered.Wait(TimeSpan.FromSeconds(30)));
        // While the writer is inside the first fsync, 199 more appends queue up...
        var waiting = Enumerable.Range(1, 199).Select(i => log.AppendAsync([Sample.Make(i)]).AsTask()).ToArray();
        _storage.HoldFsync = null;
        hold.Set();
        await Task.WhenAll([first, .. waiting]);
        // ...and are committed together: one write, one fsync for all 199.
        Assert.Equal(2, _storage.Fsyncs - before);
        Assert.Equal(200, log.End);
    }

    [Fact]
    public async Task None_mode_does_not_fsync_unless_asked()
    {
        await using var log = Open();
        var before = _storage.Fsyncs;
        await log.AppendAsync([Sample.Make(0)]);
        Assert.Equal(before, _storage.Fsyncs);
        await log.AppendDurableAsync([Sample.Make(1)]);
        Assert.Equal(before + 1, _storage.Fsyncs);
    }

    [Fact]
    public async Task A_durable_append_into_a_fresh_folder_makes_every_new_directory_entry_durable()
    {
        var data = Path.Combine(_data.Path, "fresh"); // created by the log, like --data /tmp/x
        var events = Path.Combine(data, "events");
        var segment = Path.Combine(events, "00000000000000000001.jsonl");
        var format = Path.Combine(events, "format.json");
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data, Storage = _storage, Durability = Durability.Fsync });
        await log.AppendAsync([Sample.Make(0)]);
        var done = _storage.Operations;
        // Acknowledged in fsync mode: the bytes, and the name of every file and folder on the way to them, are on disk.
        // A name is durable once the folder holding it is synced after the name was made.
        Assert.Contains("fsync " + segment, done);
        Assert.True(done.LastIndexOf("dir " + events) > done.IndexOf("open " + segment), $"events/ was not synced after the segment was created: {string.Join(" | ", done)}");
        Assert.True(done.IndexOf("fsync " + format) >= 0, $"format.json was never fsynced: {string.Join(" | ", done)}");
        Assert.True(done.LastIndexOf("dir " + events) > done.IndexOf("fsync " + format), $"events/ was not synced after format.json was written: {string.Join(" | ", done)}");
        Assert.Contains("dir " + data, done); // the entry of events/
        Assert.Contains("dir " + _data.Path, done); // the entry of the data folder itself
    }
}
