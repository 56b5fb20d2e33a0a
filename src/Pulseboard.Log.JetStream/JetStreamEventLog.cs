using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

/// <summary>
/// The event log on NATS JetStream: one stream, subjects <c>pulseboard.events.&lt;dashboard&gt;.&lt;section&gt;</c>, file
/// storage, no deletes or purges. <c>seq</c> is the stream sequence, <c>received</c> the time the stream stored the
/// event, retention the stream's max age, and an event's id its <c>Nats-Msg-Id</c> within the duplicate window.
/// Each event's message carries the header <c>Pulseboard-Format: 1</c>; a reader skips a message without it (another
/// NATS client of the account publishing on these subjects) as a position that holds no event.
/// </summary>
/// <remarks>
/// Thread-safe; several nodes may append to the same stream at once. An append is acknowledged once the stream stored
/// it on a quorum of its replicas, so <see cref="AppendDurableAsync"/> gives what <see cref="AppendAsync"/> gives.
/// A batch is not atomic: when no quorum acknowledges in time, the exception names the events that were stored, and a
/// retry with the same ids is answered with their positions. Past the duplicate window a retried id is stored again.
/// Dispose stops listening and closes the connection.
/// </remarks>
public sealed partial class JetStreamEventLog : IEventLog
{
    private const string SubjectPrefix = "pulseboard.events.";

    /// <summary>
    /// The header every event Pulseboard publishes carries: another NATS client of the account may publish on
    /// <c>pulseboard.events.&gt;</c>, and a reader skips what lacks it.
    /// </summary>
    internal const string FormatHeader = "Pulseboard-Format";

    /// <summary>The value of <see cref="FormatHeader"/>: the stored message is <see cref="StoredLine"/>'s layout.</summary>
    internal const string FormatVersion = "1";

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly JetStreamEventLogOptions _options;
    private readonly INatsJSStream _stream;
    private readonly AppendSignal _appended = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _listening;
    private long _start;
    private long _end;

    private JetStreamEventLog(NatsConnection connection, NatsJSContext js, INatsJSStream stream, JetStreamEventLogOptions options)
    {
        _connection = connection;
        _js = js;
        _stream = stream;
        _options = options;
        Observe(stream.Info.State);
        _listening = ListenAsync();
    }

    /// <summary>The options this log was opened with.</summary>
    internal JetStreamEventLogOptions Options => _options;

    /// <inheritdoc/>
    public long Start => Volatile.Read(ref _start);

    /// <inheritdoc/>
    public long End => Volatile.Read(ref _end);

    /// <inheritdoc/>
    public LogCursor OpenCursor(long from) => new(new StreamReader(this), from);

    /// <summary>The stream keeps events for its max age and never purges on request: this only reports where the log starts.</summary>
    public async ValueTask<PurgeResult> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new PurgeResult(0, 0, Start);
    }

    internal async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stream.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            throw Unreachable(ex);
        }
        Observe(_stream.Info.State);
    }

    /// <summary>
    /// A lease in the key-value bucket <paramref name="bucket"/>, on this log's connection (its servers, login and
    /// reconnects), with as many replicas as the stream has.
    /// </summary>
    /// <exception cref="LogWriteException">The bucket could not be created; the message names the URLs tried.</exception>
    internal async Task<JetStreamLease> OpenLeaseAsync(string bucket, string key, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        try
        {
            return await JetStreamLease.OpenAsync(_connection, _js, ownsConnection: false, bucket, key, holder, ttl, Math.Max(1, _stream.Info.Config.NumReplicas), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            throw new LogWriteException($"Could not open the lease bucket {bucket} at {_options.Shown}: {_options.Scrub(ex.Message)}.", ex, faulted: false);
        }
    }

    /// <summary>
    /// The stream did not answer (a leader election, a server down): an <see cref="IOException"/>, which a reader such
    /// as the server's projector retries with a back-off instead of stopping.
    /// </summary>
    internal IOException Unreachable(Exception cause) =>
        new LogUnreachableException($"The stream {_options.Stream} at {_options.Shown} did not answer: {_options.Scrub(cause.Message)}. Reading resumes once it does.", cause);

    private void Observe(StreamState state)
    {
        var last = (long)state.LastSeq;
        Raise(ref _end, last);
        Raise(ref _start, state.Messages == 0 ? last + 1 : (long)state.FirstSeq);
    }

    private static void Raise(ref long field, long value)
    {
        var seen = Volatile.Read(ref field);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref field, value, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    /// <summary>Stops listening and closes the connection; idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        await _listening.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
    }
}
