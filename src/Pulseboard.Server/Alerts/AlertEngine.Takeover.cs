using Microsoft.Extensions.Logging;

namespace Pulseboard.Server.Alerts;

internal sealed partial class AlertEngine
{
    /// <summary>The most notices a node that does not notify keeps for a takeover; past it the oldest go first.</summary>
    internal const int MaxKept = 10_000;

    private readonly Queue<(DateTimeOffset At, AlertNotice Notice)> _kept = new();
    private long _term;
    private DateTimeOffset _noHolderSeenAt = DateTimeOffset.MinValue;

    /// <summary>
    /// A notice the notifying node sends, kept in case this node takes over: for <see cref="INotifyingLease.Lookback"/>
    /// once a holder is seen, and for as long as no node is seen holding the lease (nobody sends it then).
    /// </summary>
    private void Keep(AlertNotice notice)
    {
        _kept.Enqueue((_time.GetUtcNow(), notice));
        if (_kept.Count > MaxKept)
        {
            _kept.Dequeue();
        }
    }

    /// <summary>
    /// On the first evaluation after this node took the lease: enqueues what it kept during the last
    /// <see cref="INotifyingLease.Lookback"/>, in order and with the ids it had, since the node that held the lease before
    /// may have died before it sent them. At least once: a receiver may get some twice, with the same id.
    /// </summary>
    /// <remarks>
    /// While no node is seen holding the lease (the bucket unreachable for every node, a quorum lost) nothing is aged
    /// out: nobody sends those notices, so the first node to take the lease must. What was kept before the last time
    /// no holder was seen counts as kept then, so it goes only a lookback after a holder is seen again.
    /// </remarks>
    /// <returns>True when a notice was enqueued.</returns>
    private bool SendAgainOnTakeover(DateTimeOffset now)
    {
        var lease = _lease.State;
        if (!lease.Held && lease.Holder is null)
        {
            _noHolderSeenAt = now;
        }
        var from = now - _lease.Lookback;
        while (_kept.TryPeek(out var old) && (old.At > _noHolderSeenAt ? old.At : _noHolderSeenAt) < from)
        {
            _kept.Dequeue();
        }
        if (!lease.Held || lease.Term == _term)
        {
            return false;
        }
        var sent = 0;
        while (_kept.TryPeek(out var kept))
        {
            if (!Enqueue(kept.Notice))
            {
                return sent > 0; // the outbox refused: the rest at the next evaluation, still this takeover
            }
            _kept.Dequeue();
            sent++;
        }
        _term = lease.Term;
        if (_lease.Lookback > TimeSpan.Zero)
        {
            _logger.TookOver(_lease.Node, sent, _lease.Lookback.TotalSeconds);
        }
        return sent > 0;
    }
}

internal static partial class AlertMessages
{
    [LoggerMessage(407, LogLevel.Information, "This node ({Node}) sends alert notices from now on; it sent again {Count} notices it saw in the last {Seconds} s, with their ids, in case the node before it did not")]
    public static partial void TookOver(this ILogger logger, string node, int count, double seconds);
}
