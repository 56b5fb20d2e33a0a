using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Mcp;

/// <summary>A cache as the MCP tools read it: its bytes and its line of the overview.</summary>
/// <param name="Bytes">The cache file's JSON.</param>
/// <param name="Summary">Its overview: title, last update, freshness.</param>
internal sealed record McpCache(byte[] Bytes, DashboardSummary Summary);

/// <summary>
/// What the MCP tools stand on, the same four questions whichever transport asked: the definitions, the caches, the
/// caller's scope, and appending one event.
/// </summary>
/// <remarks>
/// Two implementations: <see cref="ServerMcpBackend"/> inside <c>serve</c> (the served caches, the server's log, the
/// bearer token of the request) and <see cref="LocalMcpBackend"/> for <c>pulseboard mcp</c> over stdio (a data folder,
/// sending to the server that runs on it or writing the log itself). Thread-safe: a session may call tools at once.
/// </remarks>
internal interface IMcpBackend
{
    /// <summary>The most an event may weigh serialized, in bytes: the ingest limit.</summary>
    int MaxEventBytes { get; }

    /// <summary>The clock freshness is measured with.</summary>
    TimeProvider Time { get; }

    /// <summary>What the caller of the current tool call may read and write.</summary>
    McpScope Scope { get; }

    /// <summary>The definitions as they are now (a changed file is seen at the next call).</summary>
    DefinitionSet Definitions();

    /// <summary>
    /// The caches of <paramref name="dashboards"/>, as current as this backend can have them; a dashboard before its
    /// first event has none.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, McpCache>> CachesAsync(IReadOnlyCollection<string> dashboards, CancellationToken cancellationToken);

    /// <summary>Appends one event already checked against the contract and its section's schema.</summary>
    /// <returns>Its outcome, or why the log could not take it (a message for the model).</returns>
    ValueTask<(AppendOutcome Outcome, string? Failure)> AppendAsync(Event e, CancellationToken cancellationToken);
}
