using Microsoft.AspNetCore.Http;
using Pulseboard.Log;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// The MCP tools inside <c>serve</c>: the caches as served (in memory), the server's own log (the path
/// <c>POST /api/events</c> takes: the same log, seq and id index), and the scope of the request's bearer token.
/// </summary>
internal sealed class ServerMcpBackend(IHttpContextAccessor http, Tokens tokens, CacheStore caches, IEventLog log, ServerOptions options, Hosting.ServedDefinitions definitions, Metrics.ServerMetrics metrics) : IMcpBackend
{
    public int MaxEventBytes => options.MaxEventBytes;

    public TimeProvider Time => options.TimeProvider;

    /// <summary>From the current request's token, read at each call: a stateless session has one request per call.</summary>
    public McpScope Scope
    {
        get
        {
            if (!tokens.Any)
            {
                return McpScope.Everything;
            }
            // The /mcp middleware refused requests without a known token, so a grant is there; none means no access.
            var grant = http.HttpContext is { } context ? tokens.Find(context.Request) : null;
            return grant is null ? new McpScope("none", [], false) : new McpScope(grant.Name, grant.Dashboards, grant.Read, grant.Read || !tokens.ReadNeedsToken);
        }
    }

    /// <summary>The definitions the server runs on, loaded once (the projector, ingest and the schema routes share them).</summary>
    public DefinitionSet Definitions() => definitions.Set;

    public ValueTask<IReadOnlyDictionary<string, McpCache>> CachesAsync(IReadOnlyCollection<string> dashboards, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, McpCache>(StringComparer.Ordinal);
        foreach (var id in dashboards)
        {
            if (caches.TryGet(id, out var cache))
            {
                found[id] = new McpCache(cache.Bytes, cache.Summary);
            }
        }
        return ValueTask.FromResult<IReadOnlyDictionary<string, McpCache>>(found);
    }

    public async ValueTask<(AppendOutcome Outcome, string? Failure)> AppendAsync(Event e, CancellationToken cancellationToken)
    {
        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            outcomes = await log.AppendAsync([e], cancellationToken).ConfigureAwait(false);
        }
        catch (LogWriteException ex) when (ex.RetryAfter is { } retryAfter)
        {
            // A tool result, not an HTTP status: the agent reads when to retry and that the id makes it safe.
            return (default, $"the event log is unavailable for now (HTTP would answer 503 with Retry-After: {Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))}); retry in {Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))} s with the same id");
        }
        catch (LogWriteException ex)
        {
            return (default, $"the event log cannot store events now: {ex.Message}");
        }
        metrics.CountAppended([e], outcomes, definitions.TakesAny);
        return (outcomes[0], null);
    }
}
