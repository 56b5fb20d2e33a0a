using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// Sends what the outbox holds: each notifier's deliveries in order, a failed one retried with exponential backoff on
/// the injected clock (<see cref="DeliveryPolicy"/>), given up when trying again cannot help (the SSRF guard refused the
/// address, the receiver rejected the notice, no such notifier) or after <see cref="DeliveryPolicy.GiveUpAfter"/> —
/// counted in <see cref="DeliveryCounters"/> and logged, never dropped silently.
/// </summary>
internal sealed partial class AlertDelivery(
    AlertOutbox outbox, NoticeSender sender, NotifierSet notifiers, DeliveryCounters counters, DeliveryPolicy policy, TimeProvider time, ILogger<AlertDelivery> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var due = outbox.Due(now);
            if (due.Count > 0)
            {
                // Notifiers in parallel, each one's notices in order: a slow receiver delays only itself.
                await Task.WhenAll(due.GroupBy(d => d.Notifier, StringComparer.Ordinal).Select(g => DeliverInOrderAsync(g, stoppingToken))).ConfigureAwait(false);
                continue;
            }
            await outbox.WaitForWorkAsync(outbox.NextDue(), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverInOrderAsync(IEnumerable<Delivery> deliveries, CancellationToken cancellationToken)
    {
        foreach (var delivery in deliveries)
        {
            if (!await DeliverAsync(delivery, cancellationToken).ConfigureAwait(false))
            {
                return; // the rest wait behind it, so they do not overtake it
            }
        }
    }

    /// <summary>One attempt; false when the delivery waits for a retry.</summary>
    private async Task<bool> DeliverAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (notifiers.Find(delivery.Notifier) is not { } notifier)
        {
            GiveUp(delivery, $"no notifier named \"{delivery.Notifier}\" in notifiers.yaml (serve --notifiers FILE)");
            return true;
        }
        SendResult result;
        try
        {
            result = await sender.SendAsync(notifier, delivery.Notice, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false; // stopping: still pending, sent again after the restart
        }
#pragma warning disable CA1031 // A delivery that throws is a failed attempt, never the end of the delivery service.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = new SendResult(false, false, ex.Message);
        }
        if (result.Delivered)
        {
            counters.Add(delivery.Notifier, DeliveryCounters.Delivered); // counted first: whoever sees it done sees it counted
            outbox.Complete(delivery, DeliveryCounters.Delivered);
            LogDelivered(logger, delivery.Notice.Status, delivery.Notice.Alert, delivery.Notice.Id, delivery.Notifier, result.Detail);
            return true;
        }
        counters.Add(delivery.Notifier, DeliveryCounters.FailedAttempt);
        var now = time.GetUtcNow();
        if (result.Permanent)
        {
            GiveUp(delivery, result.Detail);
            return true;
        }
        if (now - delivery.EnqueuedAt >= policy.GiveUpAfter)
        {
            GiveUp(delivery, $"{result.Detail}; still failing {policy.GiveUpAfter.TotalHours:0.#} h after it was enqueued");
            return true;
        }
        var wait = policy.Backoff(delivery.Attempts + 1);
        outbox.Failed(delivery, result.Detail, now + wait);
        LogRetry(logger, delivery.Notice.Alert, delivery.Notice.Id, delivery.Notifier, delivery.Attempts, result.Detail, wait.TotalSeconds);
        return false;
    }

    private void GiveUp(Delivery delivery, string why)
    {
        counters.Add(delivery.Notifier, DeliveryCounters.GivenUp);
        outbox.Complete(delivery, DeliveryCounters.GivenUp);
        LogGivenUp(logger, delivery.Notice.Status, delivery.Notice.Alert, delivery.Notice.Id, delivery.Notifier, why);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert notice {Status} {Alert} ({Id}) delivered to {Notifier}: {Detail}")]
    private static partial void LogDelivered(ILogger logger, string status, string alert, string id, string notifier, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert notice {Alert} ({Id}) to {Notifier} failed (attempt {Attempt}): {Detail}; retrying in {Seconds} s")]
    private static partial void LogRetry(ILogger logger, string alert, string id, string notifier, int attempt, string detail, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert notice {Status} {Alert} ({Id}) to {Notifier} given up: {Why}")]
    private static partial void LogGivenUp(ILogger logger, string status, string alert, string id, string notifier, string why);
}
