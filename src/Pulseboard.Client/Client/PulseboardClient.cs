using System.Diagnostics;
using System.Threading.Channels;

namespace Pulseboard.Client;

/// <summary>
/// The one call every agent uses: <see cref="Append"/> queues an event and returns at once; a background writer
/// hands batches to the transport.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Append"/> never waits for disk, network or anything downstream, and never throws for back-pressure:
/// when the bounded queue is full the event is dropped and counted in <see cref="Dropped"/>. Invalid events are
/// counted in <see cref="Invalid"/> and reported to <see cref="PulseboardClientOptions.OnError"/>.
/// <see cref="AppendAsync"/> is for callers that want the acknowledgement; it waits for room in the queue.
/// </para>
/// <para>
/// All members are thread-safe. <see cref="DisposeAsync"/> drains the queue into the transport, then disposes the
/// transport; it is idempotent. Events appended after disposal are dropped and counted.
/// </para>
/// </remarks>
public sealed class PulseboardClient : IAsyncDisposable, IDisposable, ISpoolListener
{
    private readonly IEventTransport _transport;
    private readonly ISpoolingTransport? _spool;
    private readonly Channel<Pending> _queue;
    private readonly int _maxBatch;
    private readonly Action<Exception>? _onError;
    private readonly Task _writer;
    private long _dropped;
    private long _invalid;
    private long _rejected;
    private long _failed;
    private long _delivered;
    private long _listenerFailures;
    private int _disposed;

    /// <summary>Starts a client that delivers through <paramref name="transport"/>, which it owns from now on.</summary>
    public PulseboardClient(IEventTransport transport, PulseboardClientOptions? options = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _spool = transport as ISpoolingTransport;
        options ??= new PulseboardClientOptions();
        options.Validate();
        _maxBatch = options.MaxBatch;
        _onError = options.OnError;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: that is how a drop is seen.
            SingleReader = true,
            SingleWriter = false,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Events dropped because the queue was full or the client was disposed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events refused by <see cref="Append"/> or <see cref="AppendAsync"/> because they broke a rule of the contract.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Events the transport answered with a rejection, including spooled events the server refused later.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Events lost because the transport failed to deliver their batch, or the server refused their spooled batch as a whole.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Events the transport acknowledged as stored (including duplicates of ids already stored) or put in its spool.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Calls to the error listener that threw (written to <see cref="System.Diagnostics.Trace"/>, never rethrown).</summary>
    internal long ListenerFailures => Interlocked.Read(ref _listenerFailures);

    /// <summary>Queues <paramref name="e"/> and returns at once; never blocks and never throws for a full queue.</summary>
    /// <returns>True when queued; false when dropped (queue full, client disposed) or invalid, each counted.</returns>
    public bool Append(Event e)
    {
        var error = e is null ? new EventError("", "event: is null") : EventRules.Check(e);
        if (error is not null)
        {
            Interlocked.Increment(ref _invalid);
            Report(new EventValidationException(error));
            return false;
        }
        if (_queue.Writer.TryWrite(new Pending(e!, null, false)))
        {
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Queues <paramref name="e"/> and completes when the transport acknowledged it.</summary>
    /// <param name="e">The event.</param>
    /// <param name="durable">True to be acknowledged only once the event survives power loss (an fsync), not only a crash.</param>
    /// <param name="cancellationToken">Stops waiting; the event may still be delivered.</param>
    /// <returns>Its outcome: the position, or why it was rejected.</returns>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public async Task<AppendOutcome> AppendAsync(Event e, bool durable = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (EventRules.Check(e) is { } error)
        {
            Interlocked.Increment(ref _invalid);
            return AppendOutcome.Rejected(error);
        }
        var ack = new TaskCompletionSource<AppendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new Pending(e, ack, durable), cancellationToken).ConfigureAwait(false);
        return await ack.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when every event queued before the call has been handed to the transport and answered.</summary>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<AppendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new Pending(null, done, false), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(PulseboardClient));
        }
    }

    /// <summary>Drains the queue into the transport, stops the writer and disposes the transport. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await _writer.ConfigureAwait(false);
            return;
        }
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Blocks while <see cref="DisposeAsync"/> drains; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var events = new List<Event>(_maxBatch);
        var reader = _queue.Reader;
        Task<bool>? readable = null; // kept across wake-ups, so the one reader never cancels a wait on the channel
        while (true)
        {
            await DrainSpoolIfDueAsync().ConfigureAwait(false);
            readable ??= reader.WaitToReadAsync().AsTask();
            if (!readable.IsCompleted && _spool?.SpoolDueIn is { } dueIn)
            {
                // Events wait in the spool: wake when they are due even if the agent appends nothing more.
                await WhenReadableOrDueAsync(readable, dueIn).ConfigureAwait(false);
                continue;
            }
            if (!await readable.ConfigureAwait(false))
            {
                return;
            }
            readable = null;
            while (TakeBatch(reader, batch, events, out var flush))
            {
                await DrainSpoolIfDueAsync().ConfigureAwait(false); // spooled events go before newer ones
                await SendAsync(batch, events).ConfigureAwait(false);
                flush?.TrySetResult(default);
            }
        }
    }

    private async Task WhenReadableOrDueAsync(Task<bool> readable, TimeSpan dueIn)
    {
        if (dueIn <= TimeSpan.Zero)
        {
            return;
        }
        using var stop = new CancellationTokenSource();
        var due = Task.Delay(dueIn, _spool!.TimeProvider, stop.Token);
        await Task.WhenAny(readable, due).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
    }

    private async Task DrainSpoolIfDueAsync()
    {
        if (_spool is null || _spool.SpoolDueIn != TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await _spool.DrainSpoolAsync(this, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The spool stays and the transport backs off; the failure goes to the listener, not the agent.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Report(ex);
        }
    }

    /// <inheritdoc/>
    void ISpoolListener.Rejected(EventError error)
    {
        Interlocked.Increment(ref _rejected);
        Report(new EventValidationException(error));
    }

    /// <inheritdoc/>
    void ISpoolListener.Refused(Exception error, int count)
    {
        Interlocked.Add(ref _failed, count);
        Report(error);
    }

    /// <summary>Takes up to a batch of events; stops early at a flush marker, which is returned to be completed after the send.</summary>
    private bool TakeBatch(ChannelReader<Pending> reader, List<Pending> batch, List<Event> events, out TaskCompletionSource<AppendOutcome>? flush)
    {
        batch.Clear();
        events.Clear();
        flush = null;
        while (batch.Count < _maxBatch && reader.TryRead(out var pending))
        {
            if (pending.Event is null)
            {
                flush = pending.Ack;
                return true;
            }
            batch.Add(pending);
            events.Add(pending.Event);
        }
        return batch.Count > 0;
    }

    private async Task SendAsync(List<Pending> batch, List<Event> events)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var durable = batch.Exists(p => p.Durable);
        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            (_transport as IReportsDrops)?.ReportDropped(Dropped); // drops are themselves reported
            outcomes = await _transport.SendAsync(events, durable, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A transport failure must reach the listener, never the agent's thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Add(ref _failed, batch.Count);
            Report(ex);
            foreach (var pending in batch)
            {
                pending.Ack?.TrySetException(ex);
            }
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = i < outcomes.Count ? outcomes[i] : AppendOutcome.Rejected(new EventError("", "event: the transport gave no answer for it"));
            if (outcome.Stored)
            {
                Interlocked.Increment(ref _delivered);
            }
            else
            {
                Interlocked.Increment(ref _rejected);
                Report(new EventValidationException(outcome.Error!));
            }
            batch[i].Ack?.TrySetResult(outcome);
        }
    }

    /// <summary>Tells the listener of <paramref name="error"/>; a listener that throws is counted and traced, never rethrown.</summary>
    /// <remarks>
    /// Called on the caller's thread (from <see cref="Append"/>) and on the writer: an exception escaping here would throw
    /// at an agent or end the writer, after which the queue fills and every flush waits forever.
    /// </remarks>
    private void Report(Exception error)
    {
        if (_onError is null)
        {
            return;
        }
        try
        {
            _onError(error);
        }
#pragma warning disable CA1031 // Whatever the listener throws, it must reach neither the agent nor the writer.
        catch (Exception listenerError)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _listenerFailures);
            Trace.TraceError($"Pulseboard: the OnError listener threw {listenerError.GetType().Name}: {listenerError.Message}; it was told of {error.GetType().Name}: {error.Message}");
        }
    }

    private readonly record struct Pending(Event? Event, TaskCompletionSource<AppendOutcome>? Ack, bool Durable);
}
