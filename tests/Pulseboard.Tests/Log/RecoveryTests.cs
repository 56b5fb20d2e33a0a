using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

public sealed class RecoveryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private FileEventLog Open() => FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path });

    private string Segment => Path.Combine(_data.EventsPath, "00000000000000000001.jsonl");

    private static async Task<List<int>> ReadNsAsync(FileEventLog log)
    {
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 100) > 0)
        {
        }
        await Task.CompletedTask;
        return records.Select(r => r.ToEvent().N()).ToList();
    }

    [Fact]
    public async Task A_torn_last_line_is_cut_at_every_byte_offset_and_no_complete_line_is_lost()
    {
        await using (var log = Open())
        {
            await log.AppendAsync(Enumerable.Range(0, 5).Select(i => Sample.Make(i, id: $"i{i}")).ToList());
        }
        var whole = await File.ReadAllBytesAsync(Segment);
        var lastStart = Array.LastIndexOf(whole, (byte)'\n', whole.Length - 2) + 1;
        for (var cut = lastStart; cut < whole.Length; cut++)
        {
            await File.WriteAllBytesAsync(Segment, whole[..cut]);
            await using var log = Open();
            Assert.Equal(4, log.End);
            Assert.Equal(cut - lastStart, log.RecoveredBytes);
            Assert.Equal(lastStart, new FileInfo(Segment).Length);
            Assert.Equal([0, 1, 2, 3], await ReadNsAsync(log));
            // The cut event's id is free again, and the next append takes the cut position.
            Assert.Equal(AppendOutcome.At(5), Assert.Single(await log.AppendAsync([Sample.Make(4, id: "i4")])));
        }
    }

    [Fact]
    public async Task A_complete_log_loses_nothing_on_reopen()
    {
        await using (var log = Open())
        {
            await log.AppendAsync(Enumerable.Range(0, 5).Select(i => Sample.Make(i)).ToList());
        }
        await using (var log = Open())
        {
            Assert.Equal(0, log.RecoveredBytes);
            Assert.Equal([0, 1, 2, 3, 4], await ReadNsAsync(log));
        }
    }

    [Fact]
    public async Task Zeros_after_the_last_line_from_a_power_loss_are_cut()
    {
        await using (var log = Open())
        {
            await log.AppendAsync(Enumerable.Range(0, 3).Select(i => Sample.Make(i)).ToList());
        }
        var length = new FileInfo(Segment).Length;
        await using (var stream = new FileStream(Segment, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }
        await using var reopened = Open();
        Assert.Equal(4096, reopened.RecoveredBytes);
        Assert.Equal(length, new FileInfo(Segment).Length);
        Assert.Equal([0, 1, 2], await ReadNsAsync(reopened));
    }

    [Fact]
    public async Task Damage_before_complete_lines_is_refused_without_changing_a_byte()
    {
        await using (var log = Open())
        {
            await log.AppendAsync(Enumerable.Range(0, 3).Select(i => Sample.Make(i)).ToList());
        }
        var bytes = await File.ReadAllBytesAsync(Segment);
        var secondLine = Array.IndexOf(bytes, (byte)'\n') + 1;
        bytes[secondLine + 3] = (byte)'#';
        await File.WriteAllBytesAsync(Segment, bytes);
        var error = Assert.Throws<LogCorruptException>(Open);
        Assert.Contains("holds complete events after the damage", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Segment));
    }

    [Fact]
    public async Task A_missing_segment_is_refused()
    {
        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, SegmentMaxBytes = 4096 }))
        {
            for (var i = 0; i < 80; i++)
            {
                await log.AppendAsync([Sample.Make(i, pad: 100)]);
            }
        }
        var segments = Directory.GetFiles(_data.EventsPath, "*.jsonl").Order(StringComparer.Ordinal).ToArray();
        File.Delete(segments[1]);
        var error = Assert.Throws<LogCorruptException>(Open);
        Assert.Contains("a segment is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_format_is_not_misread()
    {
        await using (var log = Open())
        {
        }
        await File.WriteAllTextAsync(Path.Combine(_data.EventsPath, "format.json"), """{"format":"pulseboard-events","version":2}""");
        var error = Assert.Throws<LogCorruptException>(Open);
        Assert.Contains("format version 2", error.Message, StringComparison.Ordinal);
    }
}
