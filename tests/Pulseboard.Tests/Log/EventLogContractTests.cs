using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

/// <summary>
/// What every event log must do, whatever stores it: a later engine derives from this class and passes the same suite.
/// </summary>
public abstract class EventLogContractTests : IDisposable
{
    protected TempDirectory Data { get; } = new();

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Opens (or reopens) the log under test on <see cref="Data"/>.</summary>
    protected abstract IEventLog Open(TimeSpan? retention = null, long segmentBytes = 64L * 1024 * 1024);

    /// <summary>
    /// True when the log stamps <c>received</c> from <see cref="Clock"/>; an engine on other machines stamps its own
    /// time (JetStream: when the stream stored the event).
    /// </summary>
    protected virtual bool ReceivedIsTheClock => true;

    public void Dispose()
    {
        Data.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static List<LogRecord> ReadAll(IEventLogReader log, long from = 1)
    {
        using var cursor = log.OpenCursor(from);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 100) > 0)
        {
        }
        return records;
    }

    [Fact]
    public async Task Appends_get_gap_free_increasing_positions_in_order()
    {
        await using var log = Open();
        Assert.Equal(0, log.End);
        var first = await log.AppendAsync([Sample.Make(0), Sample.Make(1), Sample.Make(2)]);
        var second = await log.AppendAsync([Sample.Make(3)]);
        Assert.Equal([1L, 2, 3, 4], first.Concat(second).Select(o => o.Position));
        Assert.Equal(4, log.End);
        var records = ReadAll(log);
        Assert.Equal([1L, 2, 3, 4], records.Select(r => r.Seq));
        Assert.Equal([0, 1, 2, 3], records.Select(r => r.ToEvent().N()));
    }

    [Fact]
    public async Task Content_and_ids_that_need_escaping_come_back_equal()
    {
        await using var log = Open();
        var pretty = Event.ParseContent("{\n  \"text\": \"<script>alert(1)</script>\\n\u2028 \u00e9\",\n  \"n\": [1.50, -0, 1e3]\n}");
        var events = new[]
        {
            new Event { Dashboard = "a", Section = "b", Action = "c", Id = "quote\"back\\slash é", Content = pretty },
            new Event { Dashboard = "a", Section = "b", Action = "c", Id = "plain-id", Content = pretty },
            new Event { Dashboard = "a", Section = "b", Action = "c", Content = Event.ParseContent("\"just text\"") },
        };
        await log.AppendAsync(events);
        var back = ReadAll(log).Select(r => r.ToEvent()).ToList();
        Assert.Equal(events.Select(e => e.Id), back.Select(e => e.Id));
        for (var i = 0; i < events.Length; i++)
        {
            Assert.True(System.Text.Json.JsonElement.DeepEquals(events[i].Content, back[i].Content), $"event {i} content changed");
        }
    }

    [Fact]
    public async Task Stored_events_carry_received_and_a_stamped_timestamp()
    {
        await using var log = Open();
        var stamped = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        await log.AppendAsync([Sample.Make(0), new Event { Dashboard = "a", Section = "b", Action = "c", Timestamp = stamped }]);
        var records = ReadAll(log);
        if (ReceivedIsTheClock)
        {
            Assert.Equal(Clock.GetUtcNow(), records[0].Received);
        }
        Assert.Equal(records[0].Received, records[0].ToEvent().Timestamp);
        Assert.Equal(stamped, records[1].ToEvent().Timestamp);
    }

    [Fact]
    public async Task Reading_from_a_position_starts_there()
    {
        await using var log = Open();
        await log.AppendAsync(Enumerable.Range(0, 50).Select(i => Sample.Make(i)).ToList());
        Assert.Equal(Enumerable.Range(30, 21).Select(i => (long)i), ReadAll(log, 30).Select(r => r.Seq));
        Assert.Empty(ReadAll(log, 51));
    }

    [Fact]
    public async Task A_cursor_picks_up_what_is_appended_after_it_caught_up()
    {
        await using var log = Open();
        await log.AppendAsync([Sample.Make(0)]);
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        Assert.Equal(1, cursor.Read(records, 10));
        Assert.Equal(0, cursor.Read(records, 10));
        await log.AppendAsync([Sample.Make(1), Sample.Make(2)]);
        Assert.Equal(2, cursor.Read(records, 10));
        Assert.Equal([1L, 2, 3], records.Select(r => r.Seq));
    }

    [Fact]
    public async Task Waiting_completes_when_an_event_arrives()
    {
        await using var log = Open();
        var wait = log.WaitForAsync(0, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        await log.AppendAsync([Sample.Make(0)]);
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, log.End);
    }

    [Fact]
    public async Task Reopening_continues_the_sequence()
    {
        await using (var log = Open(segmentBytes: 4096))
        {
            await log.AppendAsync(Enumerable.Range(0, 60).Select(i => Sample.Make(i, pad: 100)).ToList());
            await log.AppendAsync([Sample.Make(60)]);
        }
        await using (var log = Open(segmentBytes: 4096))
        {
            Assert.Equal(61, log.End);
            var outcome = Assert.Single(await log.AppendAsync([Sample.Make(61)]));
            Assert.Equal(62, outcome.Position);
            Assert.Equal(Enumerable.Range(0, 62), ReadAll(log).Select(r => r.ToEvent().N()));
        }
    }

    [Fact]
    public async Task A_repeated_id_is_acknowledged_with_its_original_position_and_stored_once()
    {
        await using (var log = Open())
        {
            await log.AppendAsync([Sample.Make(0, id: "a"), Sample.Make(1)]);
            var again = await log.AppendAsync([Sample.Make(2, id: "a"), Sample.Make(3, id: "b"), Sample.Make(4, id: "b")]);
            Assert.Equal([AppendOutcome.DuplicateOf(1), AppendOutcome.At(3), AppendOutcome.DuplicateOf(3)], again);
        }
        await using (var log = Open())
        {
            // The index survives a reopen: it is rebuilt from the segments.
            Assert.Equal(AppendOutcome.DuplicateOf(3), Assert.Single(await log.AppendAsync([Sample.Make(5, id: "b")])));
            Assert.Equal([0, 1, 3], ReadAll(log).Select(r => r.ToEvent().N()));
        }
    }

    [Fact]
    public async Task Ids_in_closed_segments_are_still_known_after_a_reopen()
    {
        await using (var log = Open(segmentBytes: 4096))
        {
            for (var i = 0; i < 60; i++)
            {
                await log.AppendAsync([Sample.Make(i, id: i % 2 == 0 ? $"even-{i}" : $"odd \"{i}\" é", pad: 100)]);
            }
        }
        await using (var log = Open(segmentBytes: 4096))
        {
            var again = await log.AppendAsync([Sample.Make(0, id: "even-0"), Sample.Make(1, id: "odd \"1\" é"), Sample.Make(58, id: "even-58"), Sample.Make(60, id: "new")]);
            Assert.Equal([AppendOutcome.DuplicateOf(1), AppendOutcome.DuplicateOf(2), AppendOutcome.DuplicateOf(59), AppendOutcome.At(61)], again);
        }
    }

    [Fact]
    public async Task Invalid_and_oversized_events_are_rejected_alone_and_the_rest_stored()
    {
        await using var log = Open();
        var bad = new Event { Dashboard = "../etc", Section = "b", Action = "c" };
        var huge = Sample.Make(1, pad: 70_000);
        var outcomes = await log.AppendAsync([Sample.Make(0), bad, huge, Sample.Make(2)]);
        Assert.Equal([1L, 0, 0, 2], outcomes.Select(o => o.Position));
        Assert.Equal("dashboard", outcomes[1].Error!.Field);
        Assert.Equal(EventRules.TooLarge(EventJson.ToUtf8(huge).Length, EventRules.DefaultMaxEventBytes), outcomes[2].Error);
        Assert.Equal([0, 2], ReadAll(log).Select(r => r.ToEvent().N()));
    }

    [Fact]
    public async Task Purging_keeps_events_inside_the_window()
    {
        await using var log = Open(segmentBytes: 4096);
        await log.AppendAsync(Enumerable.Range(0, 60).Select(i => Sample.Make(i, pad: 100)).ToList());
        var result = await log.PurgeAsync(Clock.GetUtcNow() - TimeSpan.FromMinutes(1));
        Assert.Equal(0, result.Segments);
        Assert.Equal(60, ReadAll(log).Count);
    }

    [Fact]
    public async Task Concurrent_appenders_lose_nothing_and_get_distinct_positions()
    {
        await using var log = Open();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var positions = new List<long>();
            for (var i = 0; i < 200; i++)
            {
                positions.AddRange((await log.AppendAsync([Sample.Make(t * 1000 + i)])).Select(o => o.Position));
            }
            return positions;
        })).ToArray();
        var all = (await Task.WhenAll(tasks)).SelectMany(p => p).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 1600).Select(i => (long)i), all);
        Assert.Equal(1600, ReadAll(log).Count);
    }
}

public sealed class FileEventLogTests : EventLogContractTests
{
    protected override IEventLog Open(TimeSpan? retention = null, long segmentBytes = 64L * 1024 * 1024) =>
        FileEventLog.Open(new FileEventLogOptions
        {
            DataDirectory = Data.Path,
            TimeProvider = Clock,
            Retention = retention,
            SegmentMaxBytes = segmentBytes,
        });

    [Fact]
    public async Task Segments_roll_by_size_and_reads_cross_them()
    {
        await using (var log = Open(segmentBytes: 4096))
        {
            for (var i = 0; i < 100; i++)
            {
                await log.AppendAsync([Sample.Make(i, pad: 100)]);
            }
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), ReadAll(log).Select(r => r.Seq));
        }
        Assert.True(Directory.GetFiles(Data.EventsPath, "*.jsonl").Length > 3);
    }

    [Fact]
    public async Task Retention_deletes_whole_old_segments_but_never_the_active_one()
    {
        await using var log = Open(retention: TimeSpan.FromDays(7), segmentBytes: 4096);
        for (var i = 0; i < 40; i++)
        {
            await log.AppendAsync([Sample.Make(i, id: $"id{i}", pad: 100)]);
        }
        var before = Directory.GetFiles(Data.EventsPath, "*.jsonl").Length;
        Clock.Advance(TimeSpan.FromDays(8));
        await log.AppendAsync([Sample.Make(40, pad: 100)]);
        var purged = await log.PurgeAsync(Clock.GetUtcNow() - TimeSpan.FromDays(7));
        var after = Directory.GetFiles(Data.EventsPath, "*.jsonl").Length;
        Assert.True(before > 2);
        Assert.True(after < before, $"{before} segments before, {after} after");
        Assert.Equal(log.Start, ReadAll(log).First().Seq);
        Assert.True(log.Start > 1);
        Assert.Equal(41, log.End);
        // An id whose event was purged is no longer a duplicate.
        Assert.False(Assert.Single(await log.AppendAsync([Sample.Make(41, id: "id0")])).Duplicate);
        _ = purged;
    }

    [Fact]
    public async Task A_second_writer_is_refused_with_the_owners_pid()
    {
        await using var log = Open();
        // The lock is per open file description, so a second open in this process is refused as another process would be.
        var error = Assert.Throws<LogLockedException>(() => Open());
        Assert.Equal(Environment.ProcessId, error.OwnerPid);
        Assert.Contains($"held by process {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lock_is_released_on_dispose()
    {
        await (await Task.FromResult(Open())).DisposeAsync();
        await using var again = Open();
        Assert.Equal(0, again.End);
    }

    [Fact]
    public async Task A_reader_in_another_process_sees_complete_events()
    {
        await using var log = Open();
        await log.AppendAsync(Enumerable.Range(0, 10).Select(i => Sample.Make(i)).ToList());
        await using var reader = new FileEventLogReader(Data.Path);
        Assert.Equal(10, reader.End);
        Assert.Equal(10, ReadAll(reader).Count);
        await log.AppendAsync([Sample.Make(10)]);
        Assert.Equal(11, reader.End);
    }

    [Fact]
    public async Task Segments_age_out_by_time()
    {
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = Data.Path, TimeProvider = Clock, SegmentMaxAge = TimeSpan.FromMinutes(10) });
        await log.AppendAsync([Sample.Make(0)]);
        Clock.Advance(TimeSpan.FromMinutes(11));
        await log.AppendAsync([Sample.Make(1)]);
        Assert.Equal(["00000000000000000001.jsonl", "00000000000000000002.jsonl"], Directory.GetFiles(Data.EventsPath, "*.jsonl").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_stored_line_is_the_documented_format()
    {
        await using (var log = Open())
        {
            await log.AppendAsync([new Event
            {
                Dashboard = "costs", Section = "alerts", Action = "budget_warning", Priority = Priority.High, Source = "haiku", Id = "x1",
                Content = Event.ParseContent("""{"current":412}"""),
            }]);
        }
        var text = File.ReadAllText(Path.Combine(Data.EventsPath, "00000000000000000001.jsonl"));
        Assert.Equal(
            """{"seq":1,"received":"2026-11-22T12:00:00Z","id":"x1","dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","source":"haiku","content":{"current":412}}""" + "\n",
            text);
    }
}
