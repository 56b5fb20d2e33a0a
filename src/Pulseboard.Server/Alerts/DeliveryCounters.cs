using System.Collections.Concurrent;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// <c>pulseboard_alert_deliveries_total{notifier,outcome}</c>: per notifier, attempts that <c>delivered</c>, attempts
/// that <c>failed</c> (retried later), and deliveries <c>given_up</c> (refused, rejected, or past the retry bound).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DeliveryCounters
{
    public const string Delivered = "delivered";
    public const string FailedAttempt = "failed";
    public const string GivenUp = "given_up";

    private readonly ConcurrentDictionary<(string Notifier, string Outcome), long> _counts = new();

    public void Add(string notifier, string outcome) => _counts.AddOrUpdate((notifier, outcome), 1, (_, count) => count + 1);

    public long Get(string notifier, string outcome) => _counts.GetValueOrDefault((notifier, outcome));

    /// <summary>Every count, in a stable order.</summary>
    public IReadOnlyList<(string Notifier, string Outcome, long Count)> All() =>
        _counts.Select(c => (c.Key.Notifier, c.Key.Outcome, c.Value)).OrderBy(c => c.Notifier, StringComparer.Ordinal).ThenBy(c => c.Outcome, StringComparer.Ordinal).ToList();
}
