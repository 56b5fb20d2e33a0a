using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

public sealed partial class ProjectorTests
{
    /// <summary>
    /// A read that fails halfway through a cycle (a JetStream log whose leader is being elected) is retried by the next
    /// cycle from where the reading stopped: no event is applied twice.
    /// </summary>
    [Fact]
    public async Task A_read_that_fails_mid_cycle_applies_no_event_twice()
    {
        await using var log = await LogWithAsync(10_000);
        using var clean = new TempDirectory();
        using (var projector = Open(log, data: clean.Path))
        {
            CatchUp(projector, log);
        }
        var failing = new FailingOnceLog(log, failOnRead: 2);
        using (var projector = Open(failing))
        {
            Assert.Throws<IOException>(() => projector.RunOnce(failing));
            CatchUp(projector, failing);
        }
        Assert.Equal(Caches(clean.Path), Caches());
    }

    /// <summary>The log, with one read (the <c>failOnRead</c>-th of all its cursors) failing with an IOException.</summary>
    private sealed class FailingOnceLog(IEventLogReader inner, int failOnRead) : IEventLogReader
    {
        private readonly int _failOnRead = failOnRead;
        private int _reads;

        public long Start => inner.Start;

        public long End => inner.End;

        public LogCursor OpenCursor(long from) => new(new Reader(inner.OpenCursor(from), this), from);

        public ValueTask WaitForAsync(long after, CancellationToken cancellationToken) => inner.WaitForAsync(after, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class Reader(LogCursor cursor, FailingOnceLog log) : IRecordReader
        {
            public int Read(ref long next, List<LogRecord> into, int max)
            {
                if (++log._reads == log._failOnRead)
                {
                    throw new IOException("the stream did not answer");
                }
                var read = cursor.Read(into, max);
                next = cursor.Next;
                return read;
            }

            public void Dispose() => cursor.Dispose();
        }
    }
}
