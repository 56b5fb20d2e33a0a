using Microsoft.Extensions.Logging;
using Pulseboard.Client;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// The MCP tools of <c>pulseboard mcp</c> (stdio) on a data folder, as <c>pulseboard emit</c> does it: events go to the
/// server running on the folder (found through <c>&lt;data&gt;/server.json</c>), else straight into the log, opened
/// for that one append so a server can start meanwhile. Without a server, reading first brings the caches up to the
/// log's end, as <c>project --once</c> does, so a model reads what it wrote.
/// </summary>
/// <param name="dataDirectory">The data folder (<c>--data</c>).</param>
/// <param name="dashboardsDirectory">The definitions (<c>--dashboards</c>).</param>
/// <param name="token">The bearer token for a server with tokens, or null.</param>
/// <param name="logger">Where the log and the projector report what they did (stderr: stdout is the protocol).</param>
internal sealed class LocalMcpBackend(string dataDirectory, string dashboardsDirectory, string? token, ILogger? logger) : IMcpBackend, IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1); // one log writer and one projector per process

    public int MaxEventBytes => EventRules.DefaultMaxEventBytes;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The log on NATS JetStream (<c>--log nats://…</c>), opened for each append or read; null: the file log.</summary>
    public Log.JetStream.JetStreamEventLogOptions? JetStream { get; init; }

    public McpScope Scope => McpScope.Everything; // whoever runs the command owns the folder

    public DefinitionSet Definitions() => DefinitionLoader.LoadDirectory(dashboardsDirectory);

    public async ValueTask<IReadOnlyDictionary<string, McpCache>> CachesAsync(IReadOnlyCollection<string> dashboards, CancellationToken cancellationToken)
    {
        if (HttpTransportOptions.FindServer(dataDirectory) is null)
        {
            await ProjectAsync(cancellationToken).ConfigureAwait(false);
        }
        var found = new Dictionary<string, McpCache>(StringComparer.Ordinal);
        var directory = CacheFiles.Directory(dataDirectory);
        foreach (var id in dashboards)
        {
            try
            {
                var bytes = await File.ReadAllBytesAsync(CacheFiles.PathOf(directory, id), cancellationToken).ConfigureAwait(false);
                found[id] = new McpCache(bytes, DashboardOverview.Read(id, bytes, $"/api/dashboards/{id}"));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // no event yet
            }
        }
        return found;
    }

    public async ValueTask<(AppendOutcome Outcome, string? Failure)> AppendAsync(Event e, CancellationToken cancellationToken)
    {
        if (HttpTransportOptions.FindServer(dataDirectory) is { } server)
        {
            await using var transport = new HttpTransport(new HttpTransportOptions { Server = server, Token = token, MaxAttempts = 2 });
            try
            {
                return ((await transport.SendAsync([e], false, cancellationToken).ConfigureAwait(false))[0], null);
            }
            catch (Exception ex) when (ex is HttpRequestException or HttpTransportException)
            {
                return (default, $"the server at {server} did not take the event: {ex.Message}");
            }
        }
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IEventLog log = JetStream is { } jetStream
                ? await Log.JetStream.JetStreamEventLog.OpenAsync(jetStream, cancellationToken).ConfigureAwait(false)
                : FileEventLog.Open(new FileEventLogOptions { DataDirectory = dataDirectory, MaxEventBytes = MaxEventBytes, Logger = logger });
            await using (log.ConfigureAwait(false))
            {
                return ((await log.AppendAsync([e], cancellationToken).ConfigureAwait(false))[0], null);
            }
        }
        catch (Exception ex) when (ex is LogLockedException or LogCorruptException or LogWriteException or ArgumentException or UnauthorizedAccessException or IOException)
        {
            return (default, $"the event log {(JetStream is null ? $"in {Path.GetFullPath(dataDirectory)}" : "on JetStream")} cannot take the event: {ex.Message}");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    /// <summary>One <c>project --once</c>; skipped when another projector (a server starting, a cron job) holds the caches.</summary>
    private async Task ProjectAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IEventLogReader log = JetStream is { } jetStream
                ? await Log.JetStream.JetStreamEventLog.OpenAsync(jetStream, cancellationToken).ConfigureAwait(false)
                : new FileEventLogReader(dataDirectory);
            await using (log.ConfigureAwait(false))
            {
                using var projector = Projector.Open(new ProjectorOptions { DataDirectory = dataDirectory, DashboardsDirectory = dashboardsDirectory, Logger = logger }, log);
                var end = log.End;
                CycleResult cycle;
                do
                {
                    cycle = projector.RunOnce(log, null, cancellationToken);
                }
                while (cycle.Position < end && cycle.Events > 0);
            }
        }
        catch (LogLockedException)
        {
            // another projector is at work: its caches are read as they are
        }
        catch (Exception ex) when (ex is LogWriteException or ArgumentException)
        {
            // the stream cannot be reached (an append says why): the caches are read as they are
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
