using System.Security.Cryptography;
using System.Text;

namespace Pulseboard.Server.Alerts;

/// <summary>Whether this node may send alert notices now, and who does.</summary>
/// <param name="Held">This node holds the lease: it enqueues notices.</param>
/// <param name="Holder">The node that holds it as last seen (this one when <paramref name="Held"/>); null when nobody does, or not known yet.</param>
/// <param name="Term">Counts the times this node took the lease: a new term is a takeover (<see cref="AlertEngine"/> then
/// sends again what it saw while another node was to send it).</param>
internal readonly record struct LeaseState(bool Held, string? Holder, long Term);

/// <summary>
/// The notifying node: side effects that must happen once across nodes (alert notices) are done by the node that holds
/// this lease. Every node evaluates alerts; only the holder enqueues.
/// </summary>
/// <remarks>Thread-safe: <see cref="State"/> is a snapshot.</remarks>
internal interface INotifyingLease
{
    /// <summary>This node's id: host, pid and a random part (<see cref="NodeIds.New"/>).</summary>
    string Node { get; }

    /// <summary>As of now: a lease whose renew is overdue is not held, even before the loop hears so.</summary>
    LeaseState State { get; }

    /// <summary>How far back a node that takes over sends again what it saw: zero when no other node can hold the lease.</summary>
    TimeSpan Lookback { get; }
}

/// <summary>The file log's: one node owns the data folder, so it always notifies.</summary>
internal sealed class SoleNodeLease : INotifyingLease
{
    public string Node { get; } = NodeIds.New();

    public LeaseState State => new(true, Node, 1);

    public TimeSpan Lookback => TimeSpan.Zero;
}

/// <summary>Node ids: what the lease's key holds, <c>/api/alerts</c> and the logs show.</summary>
internal static class NodeIds
{
    /// <summary><c>host-pid-random</c>: the host and pid say where to look; the random part tells a restarted pid from its past.</summary>
    public static string New()
    {
        var host = new StringBuilder();
        foreach (var c in Environment.MachineName)
        {
            host.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }
        return $"{(host.Length == 0 ? "node" : host.ToString())}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }
}
