using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// Which dashboards the caller of a tool may see and write: everything without tokens (stdio, or a server without
/// tokens); with a bearer token, its dashboard globs, and every dashboard for reading when it is a read token.
/// </summary>
/// <param name="Holder">Who holds the token, for messages; null when nothing is restricted.</param>
/// <param name="Writes">The dashboards it may write (and read); null for all.</param>
/// <param name="ReadsAll">Whether it may read every dashboard (a token with <c>"read": true</c>).</param>
internal sealed record McpScope(string? Holder, IReadOnlyList<Glob>? Writes, bool ReadsAll)
{
    /// <summary>No restriction.</summary>
    public static McpScope Everything { get; } = new(null, null, true);

    public bool CanWrite(string dashboard) => Writes is null || Writes.Any(g => g.IsMatch(dashboard));

    public bool CanRead(string dashboard) => ReadsAll || CanWrite(dashboard);

    /// <summary>Why a write to <paramref name="dashboard"/> is refused, for the model.</summary>
    public string WriteRefused(string dashboard) =>
        $"dashboard: token \"{Holder}\" may not write {EventRules.Quote(dashboard)}; it may write {string.Join(", ", (Writes ?? []).Select(g => g.Pattern))}";
}
