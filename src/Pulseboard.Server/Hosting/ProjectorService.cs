using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Hosting;

/// <summary>
/// The continuous projector inside the server: woken by appends, debounced, and after every cycle the served caches
/// are reloaded.
/// </summary>
internal sealed class ProjectorService(IEventLog log, CacheStore caches, ServerOptions options, ProjectorStatus status, Metrics.ServerMetrics metrics, ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        caches.Refresh();
        using var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = options.DataDirectory,
            DashboardsDirectory = options.DashboardsDirectory,
            Logger = loggers.CreateLogger("Pulseboard.Projector"),
            OnCycle = cycle =>
            {
                if (cycle.CachesWritten > 0)
                {
                    caches.Refresh();
                }
                metrics.CycleSeconds.Record(cycle.Duration.TotalSeconds);
                status.Ran(cycle.Position); // after the refresh: a lag of 0 means the served caches hold it
            },
        }, log);
        await Task.Yield();
        await projector.RunAsync(log, stoppingToken).ConfigureAwait(false);
    }
}
