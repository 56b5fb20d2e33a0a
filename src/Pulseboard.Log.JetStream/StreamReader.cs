using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>
    /// Reads the stream in batches through an ordered consumer (no subject filter: server 2.9.10 ignores the plural
    /// filter NATS.Net sends, and the projector reads every event anyway), from the cursor's position; what max age
    /// removed is skipped. The cursor's contract is synchronous, so this blocks on the network, bounded.
    /// </summary>
    /// <remarks>
    /// Each read asks the stream where it ends, then fetches without waiting (<c>no_wait</c>) up to that end in pulls
    /// of at most <see cref="Pull"/> events: one consumer round trip per pull instead of one request per event.
    /// </remarks>
    private sealed class StreamReader(JetStreamEventLog log) : IRecordReader
    {
        private const int Pull = 1000;

        /// <summary>A read that takes longer than this gives up with what it has (the next read goes on from there).</summary>
        private static readonly TimeSpan s_readBound = TimeSpan.FromSeconds(30);

        public int Read(ref long next, List<LogRecord> into, int max)
        {
            ArgumentNullException.ThrowIfNull(into);
            var start = into.Count;
            var reading = new Reading(next);
            try
            {
                ReadAsync(reading, into, max).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException or OperationCanceledException)
            {
                if (into.Count == start)
                {
                    // An IOException, as a file log's failed read is: the server's projector retries it after a pause.
                    throw log.Unreachable(ex);
                }
                // The stream stopped answering partway: hand over what was read; the next read goes on from there.
            }
            next = reading.Next;
            return into.Count - start;
        }

        private async ValueTask ReadAsync(Reading reading, List<LogRecord> into, int max)
        {
            using var bound = new CancellationTokenSource(s_readBound);
            await log.RefreshAsync(bound.Token).ConfigureAwait(false);
            var next = reading.Next;
            var count = 0;
            while (count < max)
            {
                next = Math.Max(next, log.Start);
                var end = log.End;
                if (next > end)
                {
                    break;
                }
                var want = (int)Math.Min(Math.Min(max - count, Pull), end - next + 1);
                var consumer = await log._js.CreateOrderedConsumerAsync(log._options.Stream, new NatsJSOrderedConsumerOpts
                {
                    DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
                    OptStartSeq = (ulong)next,
                }, bound.Token).ConfigureAwait(false);
                var got = 0;
                await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = want }, cancellationToken: bound.Token).ConfigureAwait(false))
                {
                    if (message.Metadata is not { } metadata)
                    {
                        continue;
                    }
                    var seq = (long)metadata.Sequence.Stream;
                    if (seq < next)
                    {
                        continue;
                    }
                    if (seq > next)
                    {
                        // The stream no longer holds next..seq-1: only max age (or a limit) removes messages, oldest
                        // first, so it starts at seq now. A reader of Start then tells this from a skipped foreign one.
                        Raise(ref log._start, seq);
                    }
                    if (Written(message.Headers, message.Data))
                    {
                        into.Add(new LogRecord(seq, StoredLine.ToLine(seq, metadata.Timestamp, message.Data)));
                        count++;
                    }
                    // else: published by another client of the account on these subjects; its position is skipped
                    next = seq + 1;
                    reading.Next = next;
                    got++;
                }
                if (got == 0)
                {
                    // Nothing from next to the end we saw: aged out while we read. Look again where the stream starts.
                    await log.RefreshAsync(bound.Token).ConfigureAwait(false);
                    if (log.Start <= next)
                    {
                        break;
                    }
                }
            }
            reading.Next = next;
        }

        /// <summary>
        /// Whether Pulseboard wrote the message: it carries <see cref="FormatHeader"/> and is one line of JSON object
        /// with fields. Anything else on the subjects (an empty or foreign payload) is not an event.
        /// </summary>
        private static bool Written(NATS.Client.Core.NatsHeaders? headers, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] byte[]? data) =>
            headers is not null && headers.TryGetValue(FormatHeader, out var format) && format == FormatVersion
            && data is not null && StoredLine.IsMessage(data);

        /// <summary>Where a read got to, kept when it fails partway.</summary>
        private sealed class Reading(long next)
        {
            public long Next { get; set; } = next;
        }

        public void Dispose()
        {
        }
    }
}
