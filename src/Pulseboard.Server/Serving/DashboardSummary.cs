using System.Text.Json;

namespace Pulseboard.Server.Serving;

/// <summary>
/// One dashboard in the overview (<c>GET /api/dashboards</c>, and <c>caches/index.json</c> of a static export): what
/// a list of dashboards shows without loading each cache. Built by <see cref="DashboardOverview.Read(string, ReadOnlyMemory{byte}, string)"/> from the cache.
/// </summary>
/// <param name="Id">The dashboard's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="LastUpdate">When the log received the last event applied to it.</param>
/// <param name="Position">The seq of that event.</param>
/// <param name="Url">Where its cache is.</param>
/// <param name="Order">The definition's <c>order:</c>; null without one (listed after those with one).</param>
/// <param name="Refresh">How often a page polls, in seconds.</param>
/// <param name="StaleAfter">When a page says the data stopped updating, in seconds; null for never.</param>
/// <param name="Generated">When the cache was written.</param>
/// <param name="Key">The first <c>stat</c> or <c>counter</c> section, in definition order; null when there is none.</param>
/// <param name="Heartbeats">Every heartbeat section, with each source's last-seen time: the page derives up, late or down at the moment it shows them.</param>
/// <param name="Critical">The <c>critical</c> feed items of every feed section, newest first, at most <see cref="DashboardOverview.MaxCritical"/>.</param>
internal sealed record DashboardSummary(
    string Id,
    string Title,
    string? LastUpdate,
    long Position,
    string Url,
    int? Order,
    long Refresh,
    long? StaleAfter,
    string? Generated,
    DashboardKey? Key,
    IReadOnlyList<HeartbeatSummary> Heartbeats,
    IReadOnlyList<CriticalItem> Critical);

/// <summary>The section a list of dashboards shows as the dashboard's headline figure.</summary>
/// <param name="Section">The section's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Kind"><c>stat</c> or <c>counter</c>.</param>
/// <param name="Value">Its value as the cache has it (a counter's number, a stat's JSON value); null when it has none.</param>
/// <param name="Text">A stat's text; null for a counter or a stat without one.</param>
/// <param name="Updated">When the newest event applied to it happened; null before any.</param>
internal sealed record DashboardKey(string Section, string Title, string Kind, JsonElement? Value, string? Text, string? Updated);

/// <summary>One heartbeat section in the overview.</summary>
/// <param name="Section">The section's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Every">The interval each source promises, in seconds.</param>
/// <param name="Grace">The slack before a source counts as late, in seconds.</param>
/// <param name="Sources">Each source's key and last-seen time.</param>
internal sealed record HeartbeatSummary(string Section, string Title, long Every, long Grace, IReadOnlyList<HeartbeatSeen> Sources);

/// <summary>A heartbeat source and when it was last seen.</summary>
/// <param name="Key">The source's key.</param>
/// <param name="Last">When it was last seen (RFC 3339).</param>
internal sealed record HeartbeatSeen(string Key, string Last);

/// <summary>A <c>critical</c> feed item.</summary>
/// <param name="Section">The feed section it is in.</param>
/// <param name="Text">The item's text.</param>
/// <param name="At">When its event happened (RFC 3339).</param>
internal sealed record CriticalItem(string Section, string Text, string At);
