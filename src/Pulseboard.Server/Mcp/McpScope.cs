using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// Which dashboards the caller of a tool may see and write: everything without tokens (stdio, or a server without
/// tokens); with a bearer token, its dashboard globs, and every dashboard for reading when it is a read token. Reading
/// a dashboard's values follows GET /api/dashboards' rule: once the server has a read token, only read tokens read.
/// </summary>
/// <param name="Holder">Who holds the token, for messages; null when nothing is restricted.</param>
/// <param name="Writes">The dashboards it may write (and read); null for all.</param>
/// <param name="ReadsAll">Whether it may read every dashboard (a token with <c>"read": true</c>).</param>
/// <param name="ReadsValues">Whether it may read the values of the dashboards it sees (false for a write token on a server that has read tokens).</param>
internal sealed record McpScope(string? Holder, IReadOnlyList<Glob>? Writes, bool ReadsAll, bool ReadsValues = true)
{
    /// <summary>No restriction.</summary>
    public static McpScope Everything { get; } = new(null, null, true);

    /// <summary>Why reading values is refused, for the model.</summary>
    public string ValuesRefused =>
        $"dashboard: token \"{Holder}\" may not read dashboards' values: this server reads them only with a token that has \"read\": true (as GET /api/dashboards does); list_dashboards, describe_section and append_event still work";

    public bool CanWrite(string dashboard) => Writes is null || Writes.Any(g => g.IsMatch(dashboard));

    public bool CanRead(string dashboard) => ReadsAll || CanWrite(dashboard);

    /// <summary>Why a write to <paramref name="dashboard"/> is refused, for the model.</summary>
    public string WriteRefused(string dashboard) =>
        $"dashboard: token \"{Holder}\" may not write {EventRules.Quote(dashboard)}; it may write {string.Join(", ", (Writes ?? []).Select(g => g.Pattern))}";
}
