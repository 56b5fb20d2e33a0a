using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

/// <summary>
/// The event log on NATS JetStream: one stream, subjects <c>pulseboard.events.&lt;dashboard&gt;.&lt;section&gt;</c>, file
/// storage, no deletes or purges. <c>seq</c> is the stream sequence, <c>received</c> the time the stream stored the
/// event, retention the stream's max age, and an event's id its <c>Nats-Msg-Id</c> within the duplicate window.
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

    /// <summary>Connects, creates the stream when it is missing (or updates its limits), and opens the log.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message says how to fix it.</exception>
    /// <exception cref="LogWriteException">No server answered, or the stream could not be created; the message names the URLs tried.</exception>
    public static async Task<JetStreamEventLog> OpenAsync(JetStreamEventLogOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var connection = new NatsConnection(NatsOpts.Default with { Url = options.Urls, Name = "pulseboard" });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            var js = new NatsJSContext(connection);
            var stream = await js.CreateOrUpdateStreamAsync(new StreamConfig(options.Stream, [SubjectPrefix + ">"])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = options.Replicas,
                MaxAge = options.MaxAge,
                DuplicateWindow = options.DuplicateWindow,
                DenyDelete = true,
                DenyPurge = true,
                AllowDirect = true,
            }, cancellationToken).ConfigureAwait(false);
            return new JetStreamEventLog(connection, js, stream, options);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LogWriteException($"Could not open the JetStream log at {options.Urls}: {ex.Message}. Check that nats-server runs there with JetStream enabled (-js).", ex, faulted: false);
        }
    }

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
        await _stream.RefreshAsync(cancellationToken).ConfigureAwait(false);
        Observe(_stream.Info.State);
    }

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
