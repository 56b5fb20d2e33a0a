namespace Pulseboard.Server.Alerts;

/// <summary>One notification to deliver: an alert firing or resolved (or one critical event), for the notifiers named.</summary>
/// <param name="Id">Stable: the same alert episode (alert, dashboard, labels, StartsAt) has the same id in its firing,
/// reminder and resolved notices, so a receiver can dedupe; an event alert uses the event's seq.</param>
/// <param name="Status">"firing" or "resolved".</param>
/// <param name="Alert">The alert's name under alerts:.</param>
/// <param name="Labels">e.g. source for a heartbeat alert; empty when none.</param>
/// <param name="Summary">One line a person reads: "llama-3 on fleet/models is down (last seen 12:03:04Z)".</param>
/// <param name="Url">The dashboard page's URL (absolute when the server knows its address, else the path /d/{id}).</param>
/// <param name="Notify">Notifier names from the alert's notify: list.</param>
internal sealed record AlertNotice(
    string Id, string Status, string Alert, string Dashboard, string? Section,
    IReadOnlyDictionary<string, string> Labels, string Summary,
    DateTimeOffset StartsAt, DateTimeOffset? EndsAt, string Url, IReadOnlyList<string> Notify);

/// <summary>Takes notices to deliver. Enqueue returns once the notice is durable (fsynced) under &lt;data&gt;/alerts/.</summary>
internal interface IAlertOutbox
{
    void Enqueue(AlertNotice notice);
}
