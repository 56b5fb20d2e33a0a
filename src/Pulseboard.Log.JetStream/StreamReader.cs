using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>
    /// Reads the stream message by message (STREAM.MSG.GET), skipping what max age removed. The cursor's contract is
    /// synchronous, so this blocks on the network.
    /// </summary>
    /// <remarks>Work in progress: one request per event; batched reads through an ordered consumer come next.</remarks>
    private sealed class StreamReader(JetStreamEventLog log) : IRecordReader
    {
        public int Read(ref long next, List<LogRecord> into, int max)
        {
            ArgumentNullException.ThrowIfNull(into);
            return ReadAsync(next, into, max).AsTask().GetAwaiter().GetResult() is var (read, after) ? Set(ref next, after, read) : 0;
        }

        private static int Set(ref long next, long after, int read)
        {
            next = after;
            return read;
        }

        private async ValueTask<(int Read, long Next)> ReadAsync(long next, List<LogRecord> into, int max)
        {
            await log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            next = Math.Max(next, log.Start);
            var count = 0;
            while (count < max && next <= log.End)
            {
                StreamMsgGetResponse got;
                try
                {
                    got = await log._stream.GetAsync(new StreamMsgGetRequest { Seq = (ulong)next }).ConfigureAwait(false);
                }
                catch (NatsJSApiException ex) when (ex.Error.Code == 404)
                {
                    next++; // aged out while we read
                    continue;
                }
                catch (Exception ex) when (ex is NATS.Client.Core.NatsException or TimeoutException)
                {
                    if (count > 0)
                    {
                        break; // hand over what was read; the next read asks again
                    }
                    throw log.Unreachable(ex);
                }
                var message = got.Message;
                into.Add(new LogRecord(next, StoredLine.ToLine(next, message.Time, message.Data.Span)));
                next++;
                count++;
            }
            return (count, next);
        }

        public void Dispose()
        {
        }
    }
}
