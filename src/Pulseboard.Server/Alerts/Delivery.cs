namespace Pulseboard.Server.Alerts;

/// <summary>One notice still owed to one notifier, with its attempts so far.</summary>
/// <remarks>Changed only under the outbox's lock; read a copy (<see cref="AlertOutbox.Pending"/>) anywhere else.</remarks>
internal sealed class Delivery(long n, AlertNotice notice, string notifier, DateTimeOffset enqueuedAt, DateTimeOffset nextAttempt)
{
    /// <summary>The notice's number in the outbox (its order of enqueueing).</summary>
    public long N { get; } = n;

    public AlertNotice Notice { get; } = notice;

    public string Notifier { get; } = notifier;

    public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

    /// <summary>Failed attempts since the outbox was opened (a restart starts again from 0; the age bound still holds).</summary>
    public int Attempts { get; set; }

    public DateTimeOffset NextAttempt { get; set; } = nextAttempt;

    public string? LastError { get; set; }

    public Delivery Copy() => new(N, Notice, Notifier, EnqueuedAt, NextAttempt) { Attempts = Attempts, LastError = LastError };
}

/// <summary>How long deliveries are retried: exponential backoff from <see cref="FirstRetry"/> to <see cref="MaxRetry"/>, given up after <see cref="GiveUpAfter"/>.</summary>
/// <param name="FirstRetry">The wait after the first failed attempt; doubled after each further one. Default 2 s.</param>
/// <param name="MaxRetry">The longest wait between two attempts. Default 5 min.</param>
/// <param name="GiveUpAfter">How long after it was enqueued a notice is given up (counted and logged). Default 24 h.</param>
internal sealed record DeliveryPolicy(TimeSpan FirstRetry, TimeSpan MaxRetry, TimeSpan GiveUpAfter)
{
    public static DeliveryPolicy Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24));

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1-based).</summary>
    public TimeSpan Backoff(int attempts)
    {
        var wait = FirstRetry * Math.Pow(2, Math.Min(Math.Max(attempts, 1) - 1, 30));
        return wait < MaxRetry ? wait : MaxRetry;
    }
}
