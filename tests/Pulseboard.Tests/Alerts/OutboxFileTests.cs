using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>The outbox file: what a reopen makes of a torn tail and a damaged line, and compaction once marks pile up.</summary>
public sealed class OutboxFileTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private AlertOutbox Open() => new(_data.Path, new FakeTimeProvider(DeliveryRig.Start), NullLogger.Instance);

    [Fact]
    public void A_reopen_cuts_a_torn_tail_skips_a_damaged_line_and_keeps_every_complete_notice_as_it_was()
    {
        string path;
        using (var outbox = Open())
        {
            outbox.Enqueue(DeliveryRig.Notice("one", "firing", "a", "b"));
            outbox.Enqueue(DeliveryRig.Notice("two", "resolved", "a"));
            path = outbox.Path;
        }
        var lines = File.ReadAllLines(path);
        File.WriteAllText(path, lines[0] + "\nnot json at all\n" + lines[1] + "\n" + """{"n":3,"at":"2026-12-01T12:00:00+00:00","notice":{"id":"thr""", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        using (var outbox = Open())
        {
            var pending = outbox.Pending;
            Assert.Equal([("one", "a"), ("one", "b"), ("two", "a")], pending.Select(d => (d.Notice.Id, d.Notifier)));
            Assert.Equal(DeliveryRig.Notice("one", "firing", "a", "b").Summary, pending[0].Notice.Summary);
            Assert.Equal(DeliveryRig.Start.AddMinutes(5), pending[2].Notice.EndsAt);
            Assert.Equal("llama-3", pending[2].Notice.Labels["source"]);
            Assert.DoesNotContain("not json", File.ReadAllText(path), StringComparison.Ordinal); // rewritten with what is pending only
            outbox.Complete(outbox.Pending[1], DeliveryCounters.Delivered);
            outbox.Enqueue(DeliveryRig.Notice("four", "firing", "a"));
        }
        using (var outbox = Open())
        {
            Assert.Equal([("one", "a"), ("two", "a"), ("four", "a")], outbox.Pending.Select(d => (d.Notice.Id, d.Notifier)));
            Assert.Equal([1L, 2L, 3L], outbox.Pending.Select(d => d.N)); // numbering goes on after the last complete notice
        }
    }

    [Fact]
    public async Task Once_marks_pile_up_the_file_is_compacted_to_what_is_pending()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var rig = await DeliveryRig.StartAsync(_data.Path, $"""
            hook:
              kind: webhook
              url: {receiver.Url}/hook
              allow_private: true
            """);
        var count = AlertOutbox.CompactAfterMarks + 5;
        for (var i = 0; i < count; i++)
        {
            rig.Outbox.Enqueue(DeliveryRig.Notice($"c{i}"));
        }
        await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "every notice to be delivered");
        var left = File.ReadAllLines(rig.Outbox.Path);
        Assert.True(left.Length < 20, $"{left.Length} lines left after {count} deliveries: the file was not compacted");
        Assert.Equal(count, receiver.Requests.Count);
    }
}
