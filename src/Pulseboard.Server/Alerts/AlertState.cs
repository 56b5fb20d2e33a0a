using System.Security.Cryptography;
using System.Text;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// One alert instance (an alert of a dashboard, with its labels: one per heartbeat source) that is pending or firing.
/// Mutated by the evaluation loop only; persisted in <c>&lt;data&gt;/alerts/state.json</c> so a restart neither
/// re-fires nor forgets it.
/// </summary>
internal sealed class AlertInstance
{
    public required string Dashboard { get; init; }

    public required string Alert { get; init; }

    public string? Section { get; init; }

    public required SortedDictionary<string, string> Labels { get; init; }

    /// <summary>The notifiers, kept so an instance whose alert left the definitions can still be resolved.</summary>
    public required List<string> Notify { get; set; }

    /// <summary>Since when the condition holds (pending while <see cref="FiredAt"/> is null).</summary>
    public DateTimeOffset ActiveSince { get; set; }

    /// <summary>When it started firing (the episode's <c>startsAt</c>); null while pending.</summary>
    public DateTimeOffset? FiredAt { get; set; }

    /// <summary>When the last firing notice (or reminder) was handed to the outbox; null when none was (silenced).</summary>
    public DateTimeOffset? LastSent { get; set; }

    /// <summary>Since when the condition is false while firing: resolved once that lasted a full evaluation interval.</summary>
    public DateTimeOffset? ClearSince { get; set; }

    public string Summary { get; set; } = "";

    /// <summary>Identifies the instance: dashboard, alert and labels.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => KeyOf(Dashboard, Alert, Labels);

    public static string KeyOf(string dashboard, string alert, IReadOnlyDictionary<string, string> labels) =>
        $"{dashboard}/{alert}{string.Concat(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"\u001f{l.Key}={l.Value}"))}";

    /// <summary>The episode's stable id: a hash of dashboard, alert, labels and <see cref="FiredAt"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{Key}\u001f{FiredAt?.ToUnixTimeMilliseconds()}")))[..32];
}

/// <summary>What <c>state.json</c> holds.</summary>
/// <param name="Version">The format, 1.</param>
/// <param name="NextEventSeq">The next seq event alerts read: each event before it was matched (and notified) already.</param>
/// <param name="Instances">The pending and firing instances.</param>
internal sealed record AlertStateFile(int Version, long NextEventSeq, List<AlertInstance> Instances);
